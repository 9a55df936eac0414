package chatgpt.oauth;

import tark.host.Decimal;
import tark.host.JsonInput;
import tark.host.JsonOutput;

/**
 * The stored format, the value of storage key {@code tokens}: the sealed tokens of up to four logins,
 * newest first, each with its lineage id and a one-way fingerprint of the credentials path it came
 * from; one-way marks of the refresh tokens ChatGPT refused, with the fingerprints of their paths
 * beside them (in step; version 0.4 kept none); and the last failure of a provider init, for
 * {@code provider_chat}:
 * {@code {"lineage","sealed","path", "others":[{"lineage","sealed","path"},...],
 * "refused":[mark,...], "refused_paths":[path,...], "failure":{"for","message"}}}.
 * Nothing in it opens without the root refresh token of its login; the ids and fingerprints are
 * one-way but unkeyed (a guessed path can be confirmed; docs/ARCHITECTURE.md, "Threat model").
 */
final class StoredLogins {
    /** Entries kept: one per credentials path in use (several terminals, several accounts). */
    static final int MAX_ENTRIES = 4;
    /**
     * Refusal marks kept, one per credentials path as the logins are, for more paths than logins: a
     * refused login often has no stored tokens (its file's own refresh token was refused), and a mark
     * is 70 bytes where an entry is kilobytes.
     */
    static final int MAX_REFUSED = 16;
    /** The longest failure message recorded, in characters (a longer one is not recorded). */
    static final int MAX_FAILURE_MESSAGE = 4096;
    /** The three fields of an entry, in {@link #parse}'s order. */
    private static final int ENTRY_FIELDS = 3;
    /** A mark's fields in {@link #parse}'s order: the mark, its path. */
    private static final int MARK_FIELDS = 2;
    private static final char SEP = JsonInput.SEPARATOR;

    private final String[] lineages = new String[MAX_ENTRIES];
    private final String[] sealed = new String[MAX_ENTRIES];
    /** Null for an entry written before paths were kept: it counts as a path of its own. */
    private final String[] paths = new String[MAX_ENTRIES];
    private int count;
    private final String[] refused = new String[MAX_REFUSED];
    /** Null for a mark written by version 0.4 (no paths): it counts as a path of its own. */
    private final String[] refusedPaths = new String[MAX_REFUSED];
    private int refusedCount;
    /** The failure recorded: a one-way mark of the access token it concerns, and its error line. */
    private String failureFor;
    private String failureMessage;

    /** The stored value's logins; none for null or anything unreadable. */
    static StoredLogins parse(String text) {
        StoredLogins logins = new StoredLogins();
        // Built here, not kept: a static table needs a class initializer, checked before each call in wasm.
        int marks = ENTRY_FIELDS * MAX_ENTRIES;
        int failure = marks + MARK_FIELDS * MAX_REFUSED;
        String[] paths = new String[failure + 2];
        paths[0] = "lineage";
        paths[1] = "sealed";
        paths[2] = "path";
        elementPaths(paths, ENTRY_FIELDS, ENTRY_FIELDS, MAX_ENTRIES - 1, "others", "lineage");
        elementPaths(paths, ENTRY_FIELDS + 1, ENTRY_FIELDS, MAX_ENTRIES - 1, "others", "sealed");
        elementPaths(paths, ENTRY_FIELDS + 2, ENTRY_FIELDS, MAX_ENTRIES - 1, "others", "path");
        elementPaths(paths, marks, MARK_FIELDS, MAX_REFUSED, "refused", null);
        elementPaths(paths, marks + 1, MARK_FIELDS, MAX_REFUSED, "refused_paths", null);
        paths[failure] = "failure" + SEP + "for";
        paths[failure + 1] = "failure" + SEP + "message";
        JsonInput fields = text == null ? null : JsonInput.read(text, paths);
        if (fields == null) {
            return logins;
        }
        for (int i = 0; i < MAX_ENTRIES; i++) {
            int at = ENTRY_FIELDS * i;
            logins.add(fields.string(at), fields.string(at + 1), fields.string(at + 2));
        }
        for (int r = 0; r < MAX_REFUSED; r++) {
            int at = marks + MARK_FIELDS * r;
            logins.addRefused(fields.string(at), fields.string(at + 1));
        }
        logins.setFailure(fields.string(failure), fields.string(failure + 1));
        return logins;
    }

    /**
     * The path of element i of {@code list} (its member {@code field}, unless null) into every
     * {@code stride}-th slot of {@code paths} from {@code at}, for i from 0 to {@code count - 1}.
     */
    private static void elementPaths(String[] paths, int at, int stride, int count, String list, String field) {
        for (int i = 0; i < count; i++) {
            String element = list + SEP + Decimal.of(i);
            paths[at + stride * i] = field == null ? element : element + SEP + field;
        }
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
        next.addRefusalsOf(this);
        next.setFailure(failureFor, failureMessage);
        return next;
    }

    /**
     * These logins with {@code mark} first among the refusals, one mark per path as logins are kept: it
     * replaces its path's earlier mark (a refused token of a login that file no longer holds), and the
     * other paths' marks follow, newest first. So up to {@link #MAX_REFUSED} refused logins in use each
     * keep theirs.
     */
    StoredLogins refusing(String mark, String pathFingerprint) {
        StoredLogins next = new StoredLogins();
        next.addRefused(mark, pathFingerprint);
        for (int r = 0; r < refusedCount; r++) {
            if (refusedPaths[r] == null || !refusedPaths[r].equals(pathFingerprint)) {
                next.addRefused(refused[r], refusedPaths[r]);
            }
        }
        return next.withEntriesAndFailureOf(this);
    }

    /** These logins with a failure's error line recorded for the login whose access token has {@code mark}. */
    StoredLogins failing(String mark, String errorLine) {
        StoredLogins next = new StoredLogins().withEntriesAndFailureOf(this);
        next.addRefusalsOf(this);
        next.setFailure(mark, errorLine);
        return next;
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

    private void addRefused(String mark, String path) {
        if (mark != null && refusedCount < MAX_REFUSED && !isRefused(mark)) {
            refused[refusedCount] = mark;
            refusedPaths[refusedCount++] = path;
        }
    }

    /** A recorded failure is kept only whole: a mark and an error line of at most {@link #MAX_FAILURE_MESSAGE}. */
    private void setFailure(String mark, String errorLine) {
        boolean whole = mark != null && errorLine != null && errorLine.length() <= MAX_FAILURE_MESSAGE;
        failureFor = whole ? mark : null;
        failureMessage = whole ? errorLine : null;
    }

    private void addRefusalsOf(StoredLogins from) {
        for (int r = 0; r < from.refusedCount; r++) {
            addRefused(from.refused[r], from.refusedPaths[r]);
        }
    }

    /** This with {@code from}'s entries and recorded failure. */
    private StoredLogins withEntriesAndFailureOf(StoredLogins from) {
        for (int i = 0; i < from.count; i++) {
            add(from.lineages[i], from.sealed[i], from.paths[i]);
        }
        setFailure(from.failureFor, from.failureMessage);
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
            json.raw("refused", array(refused, refusedCount));
            json.raw("refused_paths", array(refusedPaths, refusedCount));
        }
        if (failureFor != null) {
            json.raw("failure", new JsonOutput().add("for", failureFor).add("message", failureMessage).toString());
        }
        return json.toString();
    }

    /** The first {@code count} strings as a JSON array, null ones as JSON null. */
    private static String array(String[] strings, int count) {
        StringBuilder array = new StringBuilder("[");
        for (int i = 0; i < count; i++) {
            array.append(i > 0 ? "," : "");
            if (strings[i] == null) {
                array.append("null");
            } else {
                JsonOutput.quote(array, strings[i]);
            }
        }
        return array.append(']').toString();
    }

    private JsonOutput entry(int i) {
        JsonOutput json = new JsonOutput().add("lineage", lineages[i]).add("sealed", sealed[i]);
        return paths[i] == null ? json : json.add("path", paths[i]);
    }
}
