package chatgpt.oauth;

import tark.host.JsonInput;
import tark.host.JsonOutput;

/**
 * The stored format, the value of storage key {@code tokens}: the sealed tokens of up to four logins,
 * newest first, each with its lineage id and a one-way fingerprint of the credentials path it came
 * from, and one-way marks of the refresh tokens ChatGPT refused:
 * {@code {"lineage","sealed","path", "others":[{"lineage","sealed","path"},...], "refused":[...]}}.
 * Nothing in it opens without the root refresh token of its login; the ids and fingerprints are
 * one-way but unkeyed (a guessed path can be confirmed; docs/ARCHITECTURE.md, "Threat model").
 */
final class StoredLogins {
    /** Entries kept: one per credentials path in use (several terminals, several accounts). */
    static final int MAX_ENTRIES = 4;
    static final int MAX_REFUSED = 4;
    /** The three fields of an entry, in {@link #parse}'s order. */
    private static final int ENTRY_FIELDS = 3;
    private static final char SEP = JsonInput.SEPARATOR;

    private final String[] lineages = new String[MAX_ENTRIES];
    private final String[] sealed = new String[MAX_ENTRIES];
    /** Null for an entry written before paths were kept: it counts as a path of its own. */
    private final String[] paths = new String[MAX_ENTRIES];
    private int count;
    private final String[] refused = new String[MAX_REFUSED];
    private int refusedCount;

    /** The stored value's logins; none for null or anything unreadable. */
    static StoredLogins parse(String text) {
        StoredLogins logins = new StoredLogins();
        // Each entry's lineage, sealed and path, then the refusal marks (constant paths). A local, as
        // every table here: a static one needs a class initializer, checked before each call in wasm.
        String[] paths = {
            "lineage", "sealed", "path",
            "others" + SEP + "0" + SEP + "lineage", "others" + SEP + "0" + SEP + "sealed", "others" + SEP + "0" + SEP + "path",
            "others" + SEP + "1" + SEP + "lineage", "others" + SEP + "1" + SEP + "sealed", "others" + SEP + "1" + SEP + "path",
            "others" + SEP + "2" + SEP + "lineage", "others" + SEP + "2" + SEP + "sealed", "others" + SEP + "2" + SEP + "path",
            "refused" + SEP + "0", "refused" + SEP + "1", "refused" + SEP + "2", "refused" + SEP + "3",
        };
        JsonInput fields = text == null ? null : JsonInput.read(text, paths);
        for (int i = 0; fields != null && i < MAX_ENTRIES; i++) {
            int at = ENTRY_FIELDS * i;
            logins.add(fields.string(at), fields.string(at + 1), fields.string(at + 2));
        }
        for (int r = 0; fields != null && r < MAX_REFUSED; r++) {
            logins.addRefused(fields.string(ENTRY_FIELDS * MAX_ENTRIES + r));
        }
        return logins;
    }

    /** The one-way fingerprint kept for a credentials path. */
    static String pathFingerprint(String path) {
        return Lineage.oneWayId(path, "credentials path");
    }

    /** The one-way mark kept for a refresh token ChatGPT refused. */
    static String refusalMark(String refreshToken) {
        return Lineage.oneWayId(refreshToken, "refused refresh token");
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
        next.copyRefusals(this, null);
        return next;
    }

    /** These logins with {@code mark} added to the refusals (the oldest beyond four is dropped). */
    StoredLogins refusing(String mark) {
        StoredLogins next = new StoredLogins();
        for (int i = 0; i < count; i++) {
            next.add(lineages[i], sealed[i], paths[i]);
        }
        next.addRefused(mark);
        next.copyRefusals(this, mark);
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

    private void addRefused(String mark) {
        if (mark != null && refusedCount < MAX_REFUSED && !isRefused(mark)) {
            refused[refusedCount++] = mark;
        }
    }

    private void copyRefusals(StoredLogins from, String except) {
        for (int r = 0; r < from.refusedCount; r++) {
            if (!from.refused[r].equals(except)) {
                addRefused(from.refused[r]);
            }
        }
    }

    /** The stored value; null when there is nothing to keep. */
    String toJson() {
        if (count == 0 && refusedCount == 0) {
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
        return json.toString();
    }

    private JsonOutput entry(int i) {
        JsonOutput json = new JsonOutput().add("lineage", lineages[i]).add("sealed", sealed[i]);
        return paths[i] == null ? json : json.add("path", paths[i]);
    }
}
