package tark.host.toolchain;

import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.teavm.model.ClassHolder;
import org.teavm.model.ReferenceCache;
import org.teavm.parsing.ClasspathResourceProvider;
import org.teavm.parsing.RenamingResourceMapper;
import org.teavm.parsing.resource.ResourceClassHolderMapper;

/**
 * Where the bytecode of each class compiled into a module came from: the jar or classes directory
 * TeaVM read it from. TeaVM compiles {@code java.lang.String} from its class library's
 * {@code org.teavm.classlib.java.lang.TString}, so a class is looked up through TeaVM's own renaming
 * (the {@code META-INF/teavm.properties} rules on the classpath), not by its name.
 */
final class ClassOrigins {
    private ClassOrigins() {
    }

    /**
     * The classes by the file they were read from. A class TeaVM generated itself (a lambda's class)
     * counts as the class that declared it; a class with no bytecode of its own or of a declaring
     * class on the classpath stops the build, since nobody could tell whose code it is.
     */
    static Map<Path, SortedSet<String>> of(Collection<String> classes, ClassLoader classLoader) {
        ClasspathResourceProvider resources = new ClasspathResourceProvider(classLoader);
        ReferenceCache cache = new ReferenceCache();
        ResourceClassHolderMapper parser = new ResourceClassHolderMapper(resources, cache);
        String[] readAs = new String[1];
        RenamingResourceMapper teavm = new RenamingResourceMapper(resources, cache, name -> {
            ClassHolder parsed = parser.apply(name);
            if (parsed != null) {
                readAs[0] = name;
            }
            return parsed;
        });
        Map<Path, SortedSet<String>> origins = new TreeMap<>();
        List<String> unknown = new ArrayList<>();
        for (String name : classes) {
            String classFile = null;
            for (String candidate = name; classFile == null && candidate != null; candidate = declaringClass(candidate)) {
                readAs[0] = null;
                teavm.apply(candidate);
                classFile = readAs[0] == null ? null : readAs[0].replace('.', '/') + ".class";
            }
            if (classFile == null) {
                unknown.add(name);
                continue;
            }
            origins.computeIfAbsent(codeSource(classLoader.getResource(classFile), classFile), k -> new TreeSet<>())
                    .add(name);
        }
        if (!unknown.isEmpty()) {
            throw new IllegalStateException("No bytecode on the build's classpath for classes compiled into the module, "
                    + "so their origin cannot be told: " + unknown);
        }
        return origins;
    }

    /**
     * The class that declared {@code name} if it is nested or generated ({@code Outer$Inner},
     * TeaVM's {@code Outer$method$lambda$_1_0}): the name up to its last {@code $}; null at the top.
     */
    static String declaringClass(String name) {
        int nested = name.lastIndexOf('$');
        return nested > name.lastIndexOf('.') + 1 ? name.substring(0, nested) : null;
    }

    /** The jar or classes directory {@code classFile} (a resource name) was read from, at {@code url}. */
    static Path codeSource(URL url, String classFile) {
        String location = url.toString();
        try {
            if (location.startsWith("jar:file:") && location.endsWith("!/" + classFile)) {
                return Path.of(new URL(location.substring("jar:".length(), location.length() - classFile.length() - 2))
                        .toURI());
            }
            if (location.startsWith("file:") && location.endsWith("/" + classFile)) {
                return Path.of(new URL(location.substring(0, location.length() - classFile.length())).toURI());
            }
        } catch (URISyntaxException | MalformedURLException e) {
            throw new IllegalStateException("Unreadable location of a compiled class: " + url, e);
        }
        throw new IllegalStateException("A compiled class was read from neither a jar file nor a directory: " + url);
    }
}
