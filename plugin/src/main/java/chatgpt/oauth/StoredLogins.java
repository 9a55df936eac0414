package chatgpt.oauth;

import tark.host.Decimal;
import tark.host.JsonInput;
import tark.host.JsonOutput;

/**
 * The stored format, the value of storage key {@code tokens}: the sealed tokens of up to four logins,
 * newest first, each with its lineage id and a one-way fingerprint of the credentials path it came
 * from; one-way marks of the refresh tokens ChatGPT refused, newest first; and the last failure of
 * a provider init, for {@code provider_chat}:
 * {@code {"lineage","sealed","path", "others":[{"lineage","sealed","path"},...], "refused":[...],
 * "failure_for", "failure"}}.
 * Nothing in it opens without the root refresh token of its login; the ids and fingerprints are
 * one-way but unkeyed (a guessed path can be confirmed; docs/ARCHITECTURE.md, "Threat model").
 */
final class StoredLogins {
    /** Entries kept: one per credentials path in use (several terminals, several accounts). */
    static final int MAX_ENTRIES = 4;
    /**
     * Refusal marks kept, newest first: twice the logins, since a refused login often has no stored
     * tokens (its file's own refresh token was refused) and a mark is 34 bytes where an entry is
     * kilobytes. Every refused login in use keeps its mark unless eight others were refused since.
     */
    static final int MAX_REFUSED = 8;
    /** The longest failure message recorded, in characters (a longer one is not recorded). */
    static final int MAX_FAILURE_MESSAGE = 4096;

    private final String[] lineages = new String[MAX_ENTRIES];
    private final String[] sealed = new String[MAX_ENTRIES];
    /** Null for an entry written before paths were kept: it counts as a path of its own. */
    private final String[] paths = new String[MAX_ENTRIES];
    private int count;
    private final String[] refused = new String[MAX_REFUSED];
    private int refusedCount;
    /** The failure recorded: a one-way mark of the access token it concerns, and its error line. */
    private String failureFor;
    private String failureMessage;

    /** The stored value's logins; none for null or anything unreadable. */
    static StoredLogins parse(String text) {
        StoredLogins logins = new StoredLogins();
        // Every entry's lineage, sealed and path, every refusal mark, and the failure, read by name. A
        // local table, as every table here: a static one needs a class initializer, checked before each call.
        String[] entryFields = {"lineage", "sealed", "path"};
        String[] paths = new String[MAX_ENTRIES * entryFields.length + MAX_REFUSED + 2];
        int wanted = 0;
        for (int i = 0; i < MAX_ENTRIES; i++) {
            for (String field : entryFields) {
                paths[wanted++] = entryPath(i, field);
            }
        }
        for (int r = 0; r < MAX_REFUSED; r++) {
            paths[wanted++] = refusalPath(r);
        }
        paths[wanted++] = "failure_for";
        paths[wanted] = "failure";
        JsonInput fields = text == null ? null : JsonInput.read(text, paths);
        if (fields == null) {
            return logins;
        }
        for (int i = 0; i < MAX_ENTRIES; i++) {
            logins.add(fields.string(entryPath(i, "lineage")), fields.string(entryPath(i, "sealed")),
                    fields.string(entryPath(i, "path")));
        }
        for (int r = 0; r < MAX_REFUSED; r++) {
            logins.addRefused(fields.string(refusalPath(r)));
        }
        logins.setFailure(fields.string("failure_for"), fields.string("failure"));
        return logins;
    }

    /** The path of a field of entry {@code i}: the newest entry's at the top level, the others' in {@code others}. */
    private static String entryPath(int i, String field) {
        return i == 0 ? field : JsonInput.path(JsonInput.path("others", Decimal.of(i - 1)), field);
    }

    /** The path of refusal mark {@code r}. */
    private static String refusalPath(int r) {
        return JsonInput.path("refused", Decimal.of(r));
    }

    /** The one-way fingerprint kept for a credentials path. */
    static String pathFingerprint(String path) {
        return Lineage.oneWayId(path, "credentials path");
    }

    /** The one-way mark kept for a refresh token ChatGPT refused. */
    static String refusalMark(String refreshToken) {
        return Lineage.oneWayId(refreshToken, "refused refresh token");
    }

    /** The one-way mark tying a recorded failure to the access token of the login it concerns. */
    static String failureMark(String accessToken) {
        return Lineage.oneWayId(accessToken, "failed login");
    }

    int size() {
        return count;
    }

    String lineage(int entry) {
        return lineages[entry];
    }

    String sealed(int entry) {
        return sealed[entry];
    }

    boolean isRefused(String mark) {
        for (int r = 0; r < refusedCount; r++) {
            if (refused[r].equals(mark)) {
                return true;
            }
        }
        return false;
    }

    boolean hasRefusals() {
        return refusedCount > 0;
    }

    /** The error line of the failure recorded for the login whose access token has {@code mark}; null if none. */
    String failure(String mark) {
        return mark.equals(failureFor) ? failureMessage : null;
    }

    /**
     * These logins with a new save first. A new login on a path supersedes that path's older entries;
     * the newest entry of every other path comes next, newest first, and superseded entries only fill
     * what room is left. So re-logging one terminal never evicts another terminal's live login: only a
     * fifth path in use does (the oldest one goes).
     */
    StoredLogins saving(String lineage, String sealedTokens, String pathFingerprint) {
        StoredLogins next = new StoredLogins();
        next.add(lineage, sealedTokens, pathFingerprint);
        for (int pass = 0; pass < 2; pass++) {
            for (int i = 0; i < count; i++) {
                if (!lineages[i].equals(lineage) && isSuperseded(i, pathFingerprint) == (pass == 1)) {
                    next.add(lineages[i], sealed[i], paths[i]);
                }
            }
        }
        return next.withMarksOf(this, failureFor, failureMessage);
    }

    /** These logins with {@code mark} added first to the refusals (the oldest beyond {@link #MAX_REFUSED} is dropped). */
    StoredLogins refusing(String mark) {
        return changed(mark, failureFor, failureMessage);
    }

    /** These logins with a failure's error line recorded for the login whose access token has {@code mark}. */
    StoredLogins failing(String mark, String errorLine) {
        return changed(null, mark, errorLine);
    }

    /** These entries, {@code refusal} (unless null) before these marks, and the failure given. */
    private StoredLogins changed(String refusal, String failureMark, String errorLine) {
        StoredLogins next = new StoredLogins();
        for (int i = 0; i < count; i++) {
            next.add(lineages[i], sealed[i], paths[i]);
        }
        next.addRefused(refusal);
        return next.withMarksOf(this, failureMark, errorLine);
    }

    /** Whether entry {@code i} is an older login of a path that has a newer one (or is being saved). */
    private boolean isSuperseded(int i, String savingPath) {
        if (paths[i] == null) {
            return false;
        }
        if (paths[i].equals(savingPath)) {
            return true;
        }
        for (int newer = 0; newer < i; newer++) {
            if (paths[i].equals(paths[newer])) {
                return true;
            }
        }
        return false;
    }

    private void add(String lineage, String sealedTokens, String path) {
        if (lineage != null && sealedTokens != null && count < MAX_ENTRIES) {
            lineages[count] = lineage;
            sealed[count] = sealedTokens;
            paths[count] = path;
            count++;
        }
    }

    private void addRefused(String mark) {
        if (mark != null && refusedCount < MAX_REFUSED && !isRefused(mark)) {
            refused[refusedCount++] = mark;
        }
    }

    /** A recorded failure is kept only whole: a mark and an error line of at most {@link #MAX_FAILURE_MESSAGE}. */
    private void setFailure(String mark, String errorLine) {
        boolean whole = mark != null && errorLine != null && errorLine.length() <= MAX_FAILURE_MESSAGE;
        failureFor = whole ? mark : null;
        failureMessage = whole ? errorLine : null;
    }

    /** This with {@code from}'s refusal marks after its own, and the failure given. */
    private StoredLogins withMarksOf(StoredLogins from, String failureMark, String errorLine) {
        for (int r = 0; r < from.refusedCount; r++) {
            addRefused(from.refused[r]);
        }
        setFailure(failureMark, errorLine);
        return this;
    }

    /** The stored value; null when there is nothing to keep. */
    String toJson() {
        if (count == 0 && refusedCount == 0 && failureFor == null) {
            return null;
        }
        JsonOutput json = count == 0 ? new JsonOutput() : entry(0);
        if (count > 1) {
            StringBuilder others = new StringBuilder("[");
            for (int i = 1; i < count; i++) {
                others.append(i > 1 ? "," : "").append(entry(i));
            }
            json.raw("others", others.append(']').toString());
        }
        if (refusedCount > 0) {
            StringBuilder marks = new StringBuilder("[");
            for (int r = 0; r < refusedCount; r++) {
                JsonOutput.quote(marks.append(r > 0 ? "," : ""), refused[r]);
            }
            json.raw("refused", marks.append(']').toString());
        }
        if (failureFor != null) {
            json.add("failure_for", failureFor).add("failure", failureMessage);
        }
        return json.toString();
    }

    private JsonOutput entry(int i) {
        JsonOutput json = new JsonOutput().add("lineage", lineages[i]).add("sealed", sealed[i]);
        return paths[i] == null ? json : json.add("path", paths[i]);
    }
}
