package tark.host.toolchain;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Writes the notice that ships beside a module: the project's own header, then every third-party
 * component whose classes {@link WasmBuild} compiled into the module (found from the class list it
 * wrote, so a library that starts or stops being compiled in is added or dropped by itself), each
 * with the upstream notice kept for it, then the project's licence text. Nothing in it depends on
 * the machine or the time, so the same classes give the same bytes.
 *
 * <p>Arguments: the class list, the project's Maven groupId (code of that group is the project's
 * own), the notices directory ({@value #HEADER} and one {@code third-party/<groupId>.txt} per
 * third-party group: the component's name on the first line, then, after a blank line, its upstream
 * copyright and licence notices verbatim), the project's licence file, and the file to write.
 */
public final class ModuleNotice {
    static final String HEADER = "header.txt";
    static final String THIRD_PARTY = "third-party";

    private ModuleNotice() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 5) {
            throw new IllegalArgumentException(
                    "usage: ModuleNotice <class list> <project groupId> <notices dir> <licence file> <output file>");
        }
        List<String> classes = Files.readAllLines(Paths.get(args[0]), StandardCharsets.UTF_8);
        String notice = compose(ClassOrigins.of(classes, Thread.currentThread().getContextClassLoader()), args[1],
                Paths.get(args[2]), Paths.get(args[3]));
        Path output = Paths.get(args[4]);
        Files.createDirectories(output.toAbsolutePath().getParent());
        Files.write(output, notice.getBytes(StandardCharsets.UTF_8));
    }

    /** The notice for classes read from {@code origins} (see {@link ClassOrigins#of}). */
    static String compose(Map<Path, SortedSet<String>> origins, String projectGroupId, Path notices, Path license)
            throws IOException {
        // Third-party POMs by group, each group's by coordinates: sorted, so the order never varies.
        Map<String, Map<String, Pom>> groups = new TreeMap<>();
        Map<String, SortedSet<String>> classesOf = new TreeMap<>();
        for (Map.Entry<Path, SortedSet<String>> origin : origins.entrySet()) {
            Pom pom = Pom.ofCodeSource(origin.getKey());
            if (!projectGroupId.equals(pom.groupId)) {
                groups.computeIfAbsent(pom.groupId, g -> new TreeMap<>()).put(pom.coordinates(), pom);
                classesOf.put(pom.coordinates(), origin.getValue());
            }
        }
        StringBuilder out = new StringBuilder(read(notices.resolve(HEADER)));
        for (Map.Entry<String, Map<String, Pom>> group : groups.entrySet()) {
            Path entry = notices.resolve(THIRD_PARTY).resolve(group.getKey() + ".txt");
            if (!Files.isRegularFile(entry)) {
                String first = group.getValue().keySet().iterator().next();
                throw new IllegalStateException("The module contains code of " + first + " (" + classesOf.get(first)
                        + "), and there is no notice for it: add " + entry + " with the component's name on the "
                        + "first line and, after a blank line, its copyright and licence notices as its authors "
                        + "publish them.");
            }
            out.append('\n').append(section(read(entry), group.getValue().values()));
        }
        return out.append('\n').append(underlined("The licence of this project", '='))
                .append('\n').append(read(license)).toString();
    }

    /** A group's section: the entry's title, each artifact, the licences and home page, the entry's text. */
    private static String section(String entry, Collection<Pom> poms) {
        String[] titleAndText = entry.split("\n\n", 2);
        StringBuilder out = new StringBuilder(underlined(titleAndText[0].trim(), '-'));
        for (Pom pom : poms) {
            out.append(pom.coordinates()).append(pom.name != null ? " (" + pom.name + ")" : "").append('\n');
        }
        for (String licence : licenses(poms)) {
            out.append("Licence: ").append(licence).append('\n');
        }
        String home = poms.iterator().next().url;
        if (home != null) {
            out.append("Home page: ").append(home).append('\n');
        }
        return out.append('\n').append(titleAndText.length > 1 ? titleAndText[1] : "").toString();
    }

    /** The group's licences, each once, as its POMs state them. */
    private static SortedSet<String> licenses(Iterable<Pom> poms) {
        SortedSet<String> licenses = new TreeSet<>();
        for (Pom pom : poms) {
            List<String> stated = pom.inheritedLicenses();
            licenses.addAll(stated.isEmpty() ? List.of("not stated in " + pom.coordinates() + "'s POM; see below")
                    : stated);
        }
        return licenses;
    }

    private static String underlined(String title, char line) {
        return title + "\n" + String.valueOf(line).repeat(title.length()) + "\n";
    }

    /** A text file, with a final line end. */
    private static String read(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8).replace("\r\n", "\n");
        return text.endsWith("\n") ? text : text + "\n";
    }
}
