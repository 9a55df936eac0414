package tark.host.toolchain;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;
import org.xml.sax.helpers.DefaultHandler;

/**
 * What a notice needs from the Maven POM of the code a class was compiled from: whose it is
 * (group, artifact, version), its name and home page, and its licences.
 */
final class Pom {
    final Path file;
    final String groupId;
    final String artifactId;
    final String version;
    final String name;
    final String url;
    /** Each licence as "name, url" (or whichever of the two is given). */
    final List<String> licenses;
    private final String parentGroupId;
    private final String parentArtifactId;
    private final String parentVersion;

    private Pom(Path file, Element project) {
        this.file = file;
        Element parent = child(project, "parent");
        parentGroupId = text(parent, "groupId");
        parentArtifactId = text(parent, "artifactId");
        parentVersion = text(parent, "version");
        groupId = orElse(text(project, "groupId"), parentGroupId);
        artifactId = text(project, "artifactId");
        version = orElse(text(project, "version"), parentVersion);
        name = text(project, "name");
        url = text(project, "url");
        List<String> found = new ArrayList<>();
        Element licenseList = child(project, "licenses");
        for (Node node = licenseList == null ? null : licenseList.getFirstChild(); node != null;
                node = node.getNextSibling()) {
            if (node instanceof Element && "license".equals(node.getNodeName())) {
                String licenseName = text((Element) node, "name");
                String licenseUrl = text((Element) node, "url");
                found.add(licenseName != null && licenseUrl != null ? licenseName + ", " + licenseUrl
                        : orElse(licenseName, licenseUrl));
            }
        }
        licenses = Collections.unmodifiableList(found);
    }

    static Pom read(Path file) {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            // A POM is data: no DOCTYPE, no external entities.
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            DocumentBuilder parser = factory.newDocumentBuilder();
            parser.setErrorHandler(new DefaultHandler() {
                @Override
                public void fatalError(SAXParseException e) throws SAXException {
                    throw e;        // in the exception below, rather than also printed on stderr
                }
            });
            return new Pom(file, parser.parse(file.toFile()).getDocumentElement());
        } catch (IOException | ParserConfigurationException | SAXException e) {
            throw new IllegalStateException("Unreadable POM " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The POM of a jar or classes directory on a build's classpath: the one beside a jar in a Maven
     * repository ({@code artifact-version.pom}), or the {@code pom.xml} of the module whose
     * {@code target/} holds the jar or classes directory, at any depth (a module of the build
     * itself; a profile may build into {@code target/<profile>/classes}).
     */
    static Pom ofCodeSource(Path codeSource) {
        String fileName = codeSource.getFileName().toString();
        if (fileName.endsWith(".jar")) {
            Path beside = codeSource.resolveSibling(fileName.substring(0, fileName.length() - ".jar".length()) + ".pom");
            if (Files.isRegularFile(beside)) {
                return read(beside);
            }
        }
        for (Path target = codeSource.getParent(); target != null; target = target.getParent()) {
            if ("target".equals(String.valueOf(target.getFileName()))
                    && Files.isRegularFile(target.resolveSibling("pom.xml"))) {
                return read(target.resolveSibling("pom.xml"));
            }
        }
        throw new IllegalStateException("Cannot tell which project " + codeSource + " belongs to: it is neither a jar "
                + "beside its POM in a Maven repository nor inside a module's target/ (its build output)");
    }

    /** groupId:artifactId:version. */
    String coordinates() {
        return groupId + ":" + artifactId + ":" + version;
    }

    /**
     * The licences, from the parent POM in the same Maven repository when this one names none
     * (licences are inherited); empty when no POM up the chain names one.
     */
    List<String> inheritedLicenses() {
        Pom pom = this;
        while (pom.licenses.isEmpty() && pom.parentArtifactId != null) {
            Path parent = pom.repositoryRoot().resolve(pom.parentGroupId.replace('.', '/'))
                    .resolve(pom.parentArtifactId).resolve(pom.parentVersion)
                    .resolve(pom.parentArtifactId + "-" + pom.parentVersion + ".pom");
            if (!Files.isRegularFile(parent)) {
                break;
            }
            pom = read(parent);
        }
        return pom.licenses;
    }

    /** The repository this POM lies in: {@code <root>/<group path>/<artifact>/<version>/<file>}. */
    private Path repositoryRoot() {
        Path root = file.getParent();
        for (int up = groupId.split("\\.").length + 2; up > 0 && root != null; up--) {
            root = root.getParent();
        }
        return root != null ? root : file.getParent();
    }

    private static Element child(Element parent, String tag) {
        for (Node node = parent == null ? null : parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element && tag.equals(node.getNodeName())) {
                return (Element) node;
            }
        }
        return null;
    }

    private static String text(Element parent, String tag) {
        Element element = child(parent, tag);
        String text = element == null ? "" : element.getTextContent().trim().replaceAll("\\s+", " ");
        return text.isEmpty() ? null : text;
    }

    private static String orElse(String value, String fallback) {
        return value != null ? value : fallback;
    }
}
