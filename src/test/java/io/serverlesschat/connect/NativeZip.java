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
 * the root {@code bootstrap} (which the runtime executes) its permissions, CPU and how it is linked: the
 * program loader and shared libraries it asks for and the glibc versions that loader will demand, or none
 * of these (statically linked). {@link #problems} says what would stop the function from starting.
 */
record NativeZip(List<String> files, long unzippedBytes, Bootstrap bootstrap) {

    /** Lambda's limit on a function's unzipped code. */
    static final long MAX_UNZIPPED_BYTES = 262_144_000L;

    /** The newest glibc symbol version each custom runtime provides (Amazon Linux 2: 2.26, AL2023: 2.34). */
    static final Map<String, String> RUNTIME_GLIBC = Map.of("provided.al2", "2.26", "provided.al2023", "2.34");

    /** The glibc program loader Amazon Linux has for each architecture: the only one a dynamic bootstrap may ask for. */
    static final Map<String, String> GLIBC_LOADER = Map.of("x86_64", "/lib64/ld-linux-x86-64.so.2", "arm64", "/lib/ld-linux-aarch64.so.1");

    /**
     * The root bootstrap entry; {@code architecture} is null when it is not a readable 64-bit ELF file.
     * {@code interpreter} is the program loader it names (PT_INTERP), null if none; {@code libraries} the
     * shared libraries it needs (DT_NEEDED).
     */
    record Bootstrap(Set<PosixFilePermission> permissions, String architecture, String interpreter, List<String> libraries,
            Set<String> glibcVersions) {

        /** No loader and no shared library: the kernel runs it as it is, on any Linux of its architecture. */
        boolean staticallyLinked() {
            return architecture != null && interpreter == null && libraries.isEmpty();
        }

        String linkage() {
            return staticallyLinked()
                    ? "statically linked: runs on any Linux runtime"
                    : "dynamically linked: loader " + interpreter + ", libraries " + libraries + ", glibc versions " + glibcVersions;
        }
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

    /**
     * What would keep this zip from running as {@code architecture} (x86_64, arm64) on {@code runtime};
     * {@code staticBuild}: the build asked for a fully static bootstrap (-Pstatic), so it must be one.
     */
    List<String> problems(String architecture, String runtime, boolean staticBuild) {
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
        if (staticBuild && bootstrap.architecture() != null && !bootstrap.staticallyLinked()) {
            problems.add("a static build (-Pstatic) made a bootstrap that is " + bootstrap.linkage()
                    + " (did --static --libc=musl reach native-image? see application.properties)");
        }
        // A loader other than glibc's (musl's, say) is a file Lambda's runtimes do not have: "no such file" at start.
        String loader = bootstrap.interpreter() == null ? null : GLIBC_LOADER.get(bootstrap.architecture());
        if (loader != null && !loader.equals(bootstrap.interpreter())) {
            problems.add("bootstrap asks for the loader " + bootstrap.interpreter() + ", which Amazon Linux does not have"
                    + " (its loader is " + loader + ")");
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

    // ---- ELF64. The machine in the header; from the program headers, the loader the kernel starts first
    // (PT_INTERP) and the dynamic section (PT_DYNAMIC) with the shared libraries that loader must find
    // (DT_NEEDED, names in the DT_STRTAB string table); from the section headers, the GLIBC_x.y names in
    // the version-needs section (.gnu.version_r), which the loader checks before the program runs.
    private static final int PT_LOAD = 1;
    private static final int PT_DYNAMIC = 2;
    private static final int PT_INTERP = 3;
    private static final long DT_NEEDED = 1;
    private static final long DT_STRTAB = 5;
    private static final int SHT_GNU_VERNEED = 0x6ffffffe;

    static Bootstrap elf(Set<PosixFilePermission> permissions, byte[] b) {
        if (b.length < 64 || b[0] != 0x7f || b[1] != 'E' || b[2] != 'L' || b[3] != 'F' || b[4] != 2) {
            return new Bootstrap(permissions, null, null, List.of(), Set.of());
        }
        ByteBuffer elf = ByteBuffer.wrap(b).order(b[5] == 2 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        try {
            int machine = Short.toUnsignedInt(elf.getShort(0x12));
            String architecture = switch (machine) {
                case 62 -> "x86_64";
                case 183 -> "arm64";
                default -> "ELF machine " + machine;
            };
            return new Bootstrap(permissions, architecture, interpreter(elf, b), libraries(elf, b), glibcVersions(elf, b));
        } catch (IndexOutOfBoundsException | ArithmeticException e) {
            // Headers pointing outside the file: no loader could run it either.
            return new Bootstrap(permissions, null, null, List.of(), Set.of());
        }
    }

    private static String interpreter(ByteBuffer elf, byte[] b) {
        List<Integer> interp = programHeaders(elf, PT_INTERP);
        return interp.isEmpty() ? null : cString(b, offset(elf.getLong(interp.get(0) + 0x08)));
    }

    private static List<String> libraries(ByteBuffer elf, byte[] b) {
        List<String> libraries = new ArrayList<>();
        for (int header : programHeaders(elf, PT_DYNAMIC)) {
            List<Long> names = new ArrayList<>();
            long strtab = -1;
            int start = offset(elf.getLong(header + 0x08));
            int end = offset(start + elf.getLong(header + 0x20));
            // Entries of tag and value, up to DT_NULL (tag 0).
            for (int entry = start; entry + 16 <= end && elf.getLong(entry) != 0; entry += 16) {
                long tag = elf.getLong(entry);
                if (tag == DT_NEEDED) {
                    names.add(elf.getLong(entry + 8));
                } else if (tag == DT_STRTAB) {
                    strtab = fileOffset(elf, elf.getLong(entry + 8));
                }
            }
            for (long name : names) {
                libraries.add(strtab < 0 ? "?" : cString(b, offset(strtab + name)));
            }
        }
        return List.copyOf(libraries);
    }

    /** The file offset of a virtual address, through the loadable segment that maps it; -1 if none does. */
    private static long fileOffset(ByteBuffer elf, long address) {
        for (int header : programHeaders(elf, PT_LOAD)) {
            long start = elf.getLong(header + 0x10);
            if (address >= start && address < start + elf.getLong(header + 0x20)) {
                return elf.getLong(header + 0x08) + (address - start);
            }
        }
        return -1;
    }

    private static List<Integer> programHeaders(ByteBuffer elf, int type) {
        long table = elf.getLong(0x20);
        int size = Short.toUnsignedInt(elf.getShort(0x36));
        List<Integer> headers = new ArrayList<>();
        for (int i = 0; i < Short.toUnsignedInt(elf.getShort(0x38)); i++) {
            int header = offset(table + (long) i * size);
            if (elf.getInt(header) == type) {
                headers.add(header);
            }
        }
        return headers;
    }

    private static Set<String> glibcVersions(ByteBuffer elf, byte[] b) {
        long sectionHeaders = elf.getLong(0x28);
        int headerSize = Short.toUnsignedInt(elf.getShort(0x3a));
        int headers = Short.toUnsignedInt(elf.getShort(0x3c));
        Set<String> glibc = new TreeSet<>();
        for (int i = 0; i < headers; i++) {
            int header = offset(sectionHeaders + (long) i * headerSize);
            if (elf.getInt(header + 4) != SHT_GNU_VERNEED) {
                continue;
            }
            int strings = offset(elf.getLong(offset(sectionHeaders + (long) elf.getInt(header + 0x28) * headerSize) + 0x18));
            int need = offset(elf.getLong(header + 0x18));
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
        return glibc;
    }

    private static int offset(long value) {
        return Math.toIntExact(value);
    }

    private static String cString(byte[] b, int offset) {
        int end = offset;
        while (b[end] != 0) {
            end++;
        }
        return new String(b, offset, end - offset, StandardCharsets.US_ASCII);
    }
}
