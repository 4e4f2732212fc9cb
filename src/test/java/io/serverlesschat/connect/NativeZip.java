package io.serverlesschat.connect;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * A function.zip as Lambda's custom runtime sees it, read without running anything: its files, and for
 * the root {@code bootstrap} (which the runtime executes) its permissions, CPU and the glibc versions
 * the dynamic loader will demand. {@link #problems} says what would stop the function from starting.
 */
record NativeZip(List<String> files, long unzippedBytes, Bootstrap bootstrap) {

    /** Lambda's limit on a function's unzipped code. */
    static final long MAX_UNZIPPED_BYTES = 262_144_000L;

    /** The newest glibc symbol version each custom runtime provides (Amazon Linux 2: 2.26, AL2023: 2.34). */
    static final Map<String, String> RUNTIME_GLIBC = Map.of("provided.al2", "2.26", "provided.al2023", "2.34");

    /** The root bootstrap entry; {@code architecture} is null when it is not a 64-bit ELF file. */
    record Bootstrap(Set<PosixFilePermission> permissions, String architecture, Set<String> glibcVersions) {
    }

    boolean hasBootstrap() {
        return bootstrap != null;
    }

    static NativeZip read(Path zip) throws IOException {
        // The zip file system reads the Unix mode Lambda applies when it unpacks the zip.
        try (FileSystem fs = FileSystems.newFileSystem(zip, Map.of("enablePosixFileAttributes", "true"))) {
            List<String> files = new ArrayList<>();
            long bytes = 0;
            try (Stream<Path> all = Files.walk(fs.getPath("/"))) {
                for (Path file : (Iterable<Path>) all.filter(Files::isRegularFile).sorted()::iterator) {
                    files.add(fs.getPath("/").relativize(file).toString());
                    bytes += Files.size(file);
                }
            }
            Path bootstrap = fs.getPath("/bootstrap");
            Bootstrap b = Files.isRegularFile(bootstrap)
                    ? elf(Files.getPosixFilePermissions(bootstrap), Files.readAllBytes(bootstrap))
                    : null;
            return new NativeZip(List.copyOf(files), bytes, b);
        }
    }

    /** What would keep this zip from running as {@code architecture} (x86_64, arm64) on {@code runtime}. */
    List<String> problems(String architecture, String runtime) {
        String maxGlibc = RUNTIME_GLIBC.get(runtime);
        if (maxGlibc == null) {
            throw new IllegalArgumentException("unknown runtime " + runtime + ", expected one of " + RUNTIME_GLIBC.keySet());
        }
        List<String> problems = new ArrayList<>();
        if (bootstrap == null) {
            problems.add("no executable named bootstrap at the root of the zip (files: " + files + ")");
            return problems;
        }
        if (!files.equals(List.of("bootstrap"))) {
            problems.add("only bootstrap belongs in the zip, found " + files);
        }
        // Lambda runs the function as an unprivileged user that owns nothing in the zip.
        if (!bootstrap.permissions().containsAll(Set.of(PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_EXECUTE))) {
            problems.add("bootstrap is not readable and executable by everyone: " + bootstrap.permissions());
        }
        if (bootstrap.architecture() == null) {
            problems.add("bootstrap is not a 64-bit ELF executable");
        } else if (!bootstrap.architecture().equals(architecture)) {
            problems.add("bootstrap is built for " + bootstrap.architecture() + ", the function runs on " + architecture);
        }
        List<String> tooNew = tooNew(bootstrap.glibcVersions(), maxGlibc);
        if (!tooNew.isEmpty()) {
            problems.add("bootstrap needs " + tooNew + " but " + runtime + " has glibc " + maxGlibc
                    + " (built with a UBI9 or host toolchain? see application.properties)");
        }
        if (unzippedBytes > MAX_UNZIPPED_BYTES) {
            problems.add("unzipped size " + unzippedBytes + " bytes is over Lambda's " + MAX_UNZIPPED_BYTES);
        }
        return problems;
    }

    /** The required glibc versions newer than {@code max}; a name that is not a plain version counts as newer. */
    static List<String> tooNew(Set<String> glibcVersions, String max) {
        List<String> tooNew = new ArrayList<>();
        for (String name : glibcVersions) {
            String version = name.substring("GLIBC_".length());
            if (!version.matches("\\d+(\\.\\d+)*") || compare(version, max) > 0) {
                tooNew.add(name);
            }
        }
        return tooNew;
    }

    private static int compare(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            int c = Integer.compare(i < x.length ? Integer.parseInt(x[i]) : 0, i < y.length ? Integer.parseInt(y[i]) : 0);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    // ---- ELF64: the machine in the header, and the GLIBC_x.y names in the version-needs section
    // (.gnu.version_r), which the dynamic loader checks before the program runs.
    private static final int SHT_GNU_VERNEED = 0x6ffffffe;

    private static Bootstrap elf(Set<PosixFilePermission> permissions, byte[] b) {
        if (b.length < 64 || b[0] != 0x7f || b[1] != 'E' || b[2] != 'L' || b[3] != 'F' || b[4] != 2) {
            return new Bootstrap(permissions, null, Set.of());
        }
        ByteBuffer elf = ByteBuffer.wrap(b).order(b[5] == 2 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        int machine = Short.toUnsignedInt(elf.getShort(0x12));
        String architecture = switch (machine) {
            case 62 -> "x86_64";
            case 183 -> "arm64";
            default -> "ELF machine " + machine;
        };
        long sectionHeaders = elf.getLong(0x28);
        int headerSize = Short.toUnsignedInt(elf.getShort(0x3a));
        int headers = Short.toUnsignedInt(elf.getShort(0x3c));
        Set<String> glibc = new TreeSet<>();
        for (int i = 0; i < headers; i++) {
            int header = Math.toIntExact(sectionHeaders + (long) i * headerSize);
            if (elf.getInt(header + 4) != SHT_GNU_VERNEED) {
                continue;
            }
            int strings = Math.toIntExact(elf.getLong(Math.toIntExact(sectionHeaders + (long) elf.getInt(header + 0x28) * headerSize) + 0x18));
            int need = Math.toIntExact(elf.getLong(header + 0x18));
            for (int n = elf.getInt(header + 0x2c); n > 0; n--) {
                int aux = need + elf.getInt(need + 8);
                for (int a = Short.toUnsignedInt(elf.getShort(need + 2)); a > 0; a--) {
                    String name = cString(b, strings + elf.getInt(aux + 8));
                    if (name.startsWith("GLIBC_")) {
                        glibc.add(name);
                    }
                    aux += elf.getInt(aux + 12);
                }
                need += elf.getInt(need + 12);
            }
        }
        return new Bootstrap(permissions, architecture, glibc);
    }

    private static String cString(byte[] b, int offset) {
        int end = offset;
        while (b[end] != 0) {
            end++;
        }
        return new String(b, offset, end - offset, StandardCharsets.US_ASCII);
    }
}
