package io.serverlesschat.connect;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Small 64-bit little-endian ELF files for NativeZipTest, laid out byte by byte: the header, one loadable
 * segment mapping the whole file, and, when asked for, a program loader (PT_INTERP), a dynamic section
 * with shared libraries (PT_DYNAMIC, DT_NEEDED, DT_STRTAB) and glibc version needs (.gnu.version_r).
 * They carry no code; they are what a loader would read before running one. {@code readelf -lSdV} reads them.
 */
final class ElfFixture {

    private static final long BASE = 0x400000;

    private final int machine;
    private String interpreter;
    private final List<String> libraries = new ArrayList<>();
    private final List<String> glibcVersions = new ArrayList<>();
    private boolean dynamicSection;

    private ElfFixture(int machine) {
        this.machine = machine;
    }

    static ElfFixture x86_64() {
        return new ElfFixture(62);
    }

    static ElfFixture arm64() {
        return new ElfFixture(183);
    }

    /** A program loader (PT_INTERP), as every dynamically linked executable has. */
    ElfFixture interpreter(String path) {
        interpreter = path;
        return this;
    }

    /** Shared libraries in a dynamic section; the first one carries the glibc version needs. */
    ElfFixture needs(String... libraries) {
        this.libraries.addAll(List.of(libraries));
        dynamicSection = true;
        return this;
    }

    /** Version needs (GLIBC_2.17, ...) on the first library; needs() must name one. */
    ElfFixture glibcVersions(String... versions) {
        glibcVersions.addAll(List.of(versions));
        return this;
    }

    /** A dynamic section without any library, as a static position-independent executable has. */
    ElfFixture dynamicSectionOnly() {
        dynamicSection = true;
        return this;
    }

    byte[] bytes() {
        if (!glibcVersions.isEmpty() && libraries.isEmpty()) {
            throw new IllegalStateException("glibc versions belong to a library: call needs() first");
        }
        int programHeaders = 1 + (interpreter != null ? 1 : 0) + (dynamicSection ? 1 : 0);
        Layout out = new Layout(64 + 56 * programHeaders);

        int interp = interpreter == null ? -1 : out.add(cString(interpreter));
        // The string table: library names, then version names; offset 0 is the empty string.
        ByteArrayOutputStream strings = new ByteArrayOutputStream();
        strings.write(0);
        List<Integer> libraryNames = new ArrayList<>();
        for (String library : libraries) {
            libraryNames.add(strings.size());
            strings.writeBytes(cString(library));
        }
        List<Integer> versionNames = new ArrayList<>();
        for (String version : glibcVersions) {
            versionNames.add(strings.size());
            strings.writeBytes(cString(version));
        }
        int dynstr = dynamicSection ? out.add(strings.toByteArray()) : -1;

        int dynamic = -1;
        int dynamicSize = 0;
        if (dynamicSection) {
            ByteBuffer entries = buffer(16 * (libraries.size() + 2));
            for (int name : libraryNames) {
                entries.putLong(1).putLong(name); // DT_NEEDED
            }
            entries.putLong(5).putLong(BASE + dynstr); // DT_STRTAB, a virtual address
            entries.putLong(0).putLong(0); // DT_NULL
            dynamicSize = entries.capacity();
            dynamic = out.add(entries.array());
        }

        int verneed = -1;
        if (!glibcVersions.isEmpty()) {
            ByteBuffer need = buffer(16 + 16 * glibcVersions.size());
            need.putShort((short) 1).putShort((short) glibcVersions.size()).putInt(libraryNames.get(0)).putInt(16).putInt(0);
            for (int i = 0; i < versionNames.size(); i++) {
                boolean last = i == versionNames.size() - 1;
                need.putInt(0).putShort((short) 0).putShort((short) (i + 2)).putInt(versionNames.get(i)).putInt(last ? 0 : 16);
            }
            verneed = out.add(need.array());
        }

        // Section headers: for a dynamic file .dynstr, and the dynamic and version-needs sections linked to
        // it (index 1); then the section names.
        List<Section> sections = new ArrayList<>();
        if (dynamic >= 0) {
            sections.add(new Section(".dynstr", 3, dynstr, strings.size(), 0, 0, 0)); // SHT_STRTAB
            sections.add(new Section(".dynamic", 6, dynamic, dynamicSize, 1, 0, 16)); // SHT_DYNAMIC
        }
        if (verneed >= 0) {
            sections.add(new Section(".gnu.version_r", 0x6ffffffe, verneed, 16 + 16 * glibcVersions.size(), 1, 1, 0)); // SHT_GNU_VERNEED
        }
        ByteArrayOutputStream names = new ByteArrayOutputStream();
        names.write(0);
        List<Integer> nameAt = new ArrayList<>();
        for (Section section : sections) {
            nameAt.add(names.size());
            names.writeBytes(cString(section.name()));
        }
        nameAt.add(names.size());
        names.writeBytes(cString(".shstrtab"));
        sections.add(new Section(".shstrtab", 3, out.add(names.toByteArray()), names.size(), 0, 0, 0));
        ByteBuffer sectionTable = buffer(64 * (sections.size() + 1));
        sectionTable.position(64); // section 0 is the null section
        for (int i = 0; i < sections.size(); i++) {
            Section section = sections.get(i);
            long flags = section.name().equals(".shstrtab") ? 0 : 2; // SHF_ALLOC: mapped by the loadable segment
            sectionTable.putInt(nameAt.get(i)).putInt(section.type()).putLong(flags).putLong(flags == 0 ? 0 : BASE + section.offset())
                    .putLong(section.offset()).putLong(section.size()).putInt(section.link()).putInt(section.info())
                    .putLong(1).putLong(section.entrySize());
        }
        int sectionHeaders = out.add(sectionTable.array());

        byte[] file = out.bytes();
        ByteBuffer elf = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        elf.put(new byte[] { 0x7f, 'E', 'L', 'F', 2, 1, 1, 0 });
        elf.putShort(0x10, (short) 3) // ET_DYN
                .putShort(0x12, (short) machine).putInt(0x14, 1).putLong(0x18, BASE)
                .putLong(0x20, 64).putLong(0x28, sectionHeaders).putInt(0x30, 0)
                .putShort(0x34, (short) 64).putShort(0x36, (short) 56).putShort(0x38, (short) programHeaders)
                .putShort(0x3a, (short) 64).putShort(0x3c, (short) (sections.size() + 1)).putShort(0x3e, (short) sections.size());
        elf.position(64);
        if (interp >= 0) {
            programHeader(elf, 3, interp, interpreter.length() + 1, 1); // PT_INTERP
        }
        programHeader(elf, 1, 0, file.length, 0x1000); // PT_LOAD: the whole file at BASE
        if (dynamic >= 0) {
            programHeader(elf, 2, dynamic, dynamicSize, 8); // PT_DYNAMIC
        }
        return file;
    }

    private record Section(String name, int type, int offset, int size, int link, int info, int entrySize) {
    }

    private static void programHeader(ByteBuffer elf, int type, long offset, long size, long align) {
        elf.putInt(type).putInt(4).putLong(offset).putLong(BASE + offset).putLong(BASE + offset)
                .putLong(size).putLong(size).putLong(align);
    }

    private static ByteBuffer buffer(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static byte[] cString(String s) {
        byte[] text = s.getBytes(StandardCharsets.US_ASCII);
        byte[] c = new byte[text.length + 1];
        System.arraycopy(text, 0, c, 0, text.length);
        return c;
    }

    /** Appends parts after the headers, each 8-byte aligned, and returns where each one starts. */
    private static final class Layout {
        private final ByteArrayOutputStream file = new ByteArrayOutputStream();

        Layout(int headers) {
            file.writeBytes(new byte[headers]);
        }

        int add(byte[] part) {
            while (file.size() % 8 != 0) {
                file.write(0);
            }
            int at = file.size();
            file.writeBytes(part);
            return at;
        }

        byte[] bytes() {
            return file.toByteArray();
        }
    }
}
