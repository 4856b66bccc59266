import AtriumRuntime
@testable import DocService
import Dispatch
import Foundation
import Synchronization
import Testing

/// SPEC "Documents": a zip uploaded from a computer is unpacked into its files and folders.
/// Every archive here is written by `HostileZips` at run time; each hostile one must be refused
/// for its own reason, with nothing reported extracted (docs/DECISIONS.md, "Zip unpacking").
@Suite("Zip unpacking: plans, limits, hostile archives")
struct ZipUnpackingTests {
    typealias Entry = HostileZips.Entry

    /// A hostile archive and the refusal it must meet.
    struct Hostile: Sendable, CustomTestStringConvertible {
        let label: String
        let entries: [Entry]
        var claimedCount: UInt16?
        var limits = ZipLimits()
        let reason: ZipRefusal
        /// The entry named in the error; nil when the archive as a whole is at fault.
        let entry: String?

        var testDescription: String { label }
        var archive: Data { HostileZips.archive(entries, claimedCount: claimedCount) }
    }

    static let ok = Entry.file("ok.txt", text: "fine")

    /// Refused by the plan, from the central directory alone.
    static let refusedByPlan: [Hostile] = [
        Hostile(label: "../ climbs out", entries: [ok, .file("../evil.txt", text: "x")], reason: .parentSegment, entry: "../evil.txt"),
        Hostile(label: ".. in the middle", entries: [.file("docs/../../evil.txt")], reason: .parentSegment, entry: "docs/../../evil.txt"),
        Hostile(label: "absolute path", entries: [.file("/etc/cron.d/evil")], reason: .absolutePath, entry: "/etc/cron.d/evil"),
        Hostile(label: "drive letter with backslashes", entries: [.file("C:\\Windows\\evil.dll")], reason: .driveLetter,
                entry: "C:\\Windows\\evil.dll"),
        Hostile(label: "drive letter with slashes", entries: [.file("c:/evil.txt")], reason: .driveLetter, entry: "c:/evil.txt"),
        Hostile(label: "backslash separators", entries: [.file("docs\\..\\..\\evil.txt")], reason: .backslash, entry: "docs\\..\\..\\evil.txt"),
        Hostile(label: "empty segment", entries: [.file("docs//evil.txt")], reason: .emptySegment, entry: "docs//evil.txt"),
        Hostile(label: "blank segment", entries: [.file("docs/  /evil.txt")], reason: .emptySegment, entry: "docs/  /evil.txt"),
        Hostile(label: "dot segment", entries: [.file("./evil.txt")], reason: .dotSegment, entry: "./evil.txt"),
        Hostile(label: "NUL in a name", entries: [.file("evil.txt\u{0}.pdf")], reason: .controlCharacter, entry: "evil.txt\u{FFFD}.pdf"),
        Hostile(label: "newline in a name", entries: [.file("a\nb.txt")], reason: .controlCharacter, entry: "a\u{FFFD}b.txt"),
        Hostile(label: "right-to-left override", entries: [.file("invoice\u{202E}fdp.exe")], reason: .controlCharacter,
                entry: "invoice\u{FFFD}fdp.exe"),
        Hostile(label: "flagged UTF-8 that is not", entries: [.raw([0x62, 0xFF, 0xFE, 0x2E, 0x74], utf8Flag: true)], reason: .invalidEncoding,
                entry: "b\u{FFFD}\u{FFFD}.t"),
        Hostile(label: "symlink", entries: [ok, Entry.file("link", text: "../../etc/passwd").with { $0.attributes = 0o120777 << 16 }],
                reason: .symlink, entry: "link"),
        Hostile(label: "symlink from a non-Unix host", entries: [Entry.file("link", text: "/etc").with {
            $0.attributes = 0o120777 << 16
            $0.madeBy = 0x0014
        }], reason: .symlink, entry: "link"),
        Hostile(label: "FIFO", entries: [Entry.file("pipe").with { $0.attributes = 0o010644 << 16 }], reason: .specialFile, entry: "pipe"),
        Hostile(label: "encrypted flag", entries: [ok, Entry.file("secret.txt", text: "xyzzy").with { $0.flags |= 1 }], reason: .encrypted,
                entry: "secret.txt"),
        Hostile(label: "bzip2", entries: [Entry.file("b.txt", text: "BZh").with { $0.method = 12 }], reason: .unsupportedCompression(method: 12),
                entry: "b.txt"),
        Hostile(label: "too many entries", entries: (0...10).map { .file("f\($0).txt") }, limits: ZipLimits(maxEntries: 10),
                reason: .tooManyEntries(limit: 10), entry: nil),
        Hostile(label: "an end record claiming 65535 entries", entries: [ok], claimedCount: 0xFFFF, reason: .tooManyEntries(limit: 10_000),
                entry: nil),
        Hostile(label: "zip bomb: one entry a hundredfold and more", entries: [.file("bomb.txt", Array(repeating: 0x41, count: 10 << 20), deflate: true)],
                reason: .ratioTooHigh(limit: 100), entry: "bomb.txt"),
        Hostile(label: "zip bomb: many entries under the floor", entries: (0..<4).map { .file("z\($0).bin", Array(repeating: 0, count: 900 << 10), deflate: true) },
                reason: .archiveRatioTooHigh(limit: 100), entry: nil),
        Hostile(label: "declared total over the limit", entries: [.file("a.bin", Array(repeating: 1, count: 600)), .file("b.bin", Array(repeating: 2, count: 600))],
                limits: ZipLimits(maxBytes: 1000), reason: .tooLarge(limit: 1000), entry: "b.bin"),
        Hostile(label: "duplicate name", entries: [.file("a.txt", text: "1"), ok, .file("a.txt", text: "2")], reason: .duplicate(of: "a.txt"), entry: "a.txt"),
        Hostile(label: "duplicate in another case", entries: [.file("docs/Report.pdf"), .file("DOCS/report.PDF")], reason: .duplicate(of: "docs/Report.pdf"),
                entry: "DOCS/report.PDF"),
        Hostile(label: "duplicate in another Unicode form", entries: [.file("\u{DC}bersicht.pdf"), .file("U\u{308}bersicht.pdf")],
                reason: .duplicate(of: "\u{DC}bersicht.pdf"), entry: "U\u{308}bersicht.pdf"),
        Hostile(label: "duplicate folder entries", entries: [.folder("docs/"), .folder("Docs/")], reason: .duplicate(of: "docs/"), entry: "Docs/"),
        Hostile(label: "a file, then a folder of its name", entries: [.file("a", text: "x"), .file("a/b.txt")], reason: .fileFolderClash(with: "a"),
                entry: "a/b.txt"),
        Hostile(label: "a folder, then a file of its name", entries: [.folder("a/"), .file("A", text: "x")], reason: .fileFolderClash(with: "a/"),
                entry: "A"),
        Hostile(label: "too deep", entries: [.file((1...21).map { "d\($0)/" }.joined() + "f.txt")], reason: .tooDeep(limit: 20),
                entry: (1...21).map { "d\($0)/" }.joined() + "f.txt"),
        Hostile(label: "name too long", entries: [.file(String(repeating: "n", count: 121))], reason: .nameTooLong(limit: 120),
                entry: String(repeating: "n", count: 121)),
        Hostile(label: "two records sharing one entry's data", entries: [.file("a.txt", text: "x"), Entry.file("b.txt", text: "x").with { $0.sharesDataWith = 0 }],
                reason: .malformed("two entries share their data"), entry: nil),
    ]

    @Test("each hostile archive is refused by the plan, for its own reason", arguments: refusedByPlan)
    func refusedUnread(hostile: Hostile) {
        #expect(throws: ZipError(hostile.reason, entry: hostile.entry)) {
            try ZipInspector.plan(.data(hostile.archive), limits: hostile.limits)
        }
    }

    @Test("bytes that are no zip at all")
    func notAZip() {
        #expect(throws: ZipError(.notAZip)) { try ZipInspector.plan(.data(Data("just some text, no zip".utf8))) }
        #expect(throws: ZipError(.notAZip)) { try ZipInspector.plan(.data(Data())) }
    }

    @Test("a nested zip is a plain file: planned and extracted as its bytes, never opened")
    func nestedZip() async throws {
        let inner = HostileZips.archive([.file("../inner-evil.txt", text: "x"), .file("x/y.txt", text: "y")])
        let outer = HostileZips.archive([.file("inner.zip", Array(inner), deflate: true)])
        let plan = try ZipInspector.plan(.data(outer))
        #expect(plan.files.map(\.path) == ["inner.zip"])
        #expect(plan.folders.isEmpty)
        #expect(try await Self.extractAll(plan, outer) == ["inner.zip": inner])
    }
}

// MARK: - Extraction against lying archives

extension ZipUnpackingTests {
    /// What `store` saw: bytes per entry, and the entries it finished.
    final class Seen: Sendable {
        let state = Mutex<(bytes: [String: Int], finished: [String])>(([:], []))
        func got(_ path: String, _ count: Int) { state.withLock { $0.bytes[path, default: 0] += count } }
        func finished(_ path: String) { state.withLock { $0.finished.append(path) } }
        var bytes: [String: Int] { state.withLock { $0.bytes } }
        var finishedPaths: [String] { state.withLock { $0.finished } }
    }

    /// Extracts every planned file, reading each to the end; returns the bytes by path.
    static func extractAll(_ plan: ZipPlan, _ archive: Data, bufferSize: Int = 64 << 10, seen: Seen = Seen()) async throws -> [String: Data] {
        try await extractAll(plan, .data(archive), bufferSize: bufferSize, seen: seen)
    }

    static func extractAll(_ plan: ZipPlan, _ source: ZipSource, bufferSize: Int = 64 << 10, seen: Seen = Seen()) async throws -> [String: Data] {
        let stored = try await ZipExtractor.extract(plan, from: source, bufferSize: bufferSize) { file, bytes in
            var data = Data()
            for try await chunk in bytes {
                #expect(chunk.count <= bufferSize)
                seen.got(file.path, chunk.count)
                data.append(chunk)
            }
            seen.finished(file.path)
            return (file.path, data)
        }
        return Dictionary(uniqueKeysWithValues: stored)
    }

    /// Plans `entries` (which must pass) and extracts them; returns the error and what `store` saw.
    static func extractionError(_ entries: [Entry], bufferSize: Int = 64 << 10) async throws -> (ZipError?, Seen) {
        let archive = HostileZips.archive(entries)
        let plan = try ZipInspector.plan(.data(archive))
        let seen = Seen()
        do {
            let stored = try await extractAll(plan, archive, bufferSize: bufferSize, seen: seen)
            Issue.record("extracted \(stored.keys.sorted()) from a hostile archive")
            return (nil, seen)
        } catch let error as ZipError {
            return (error, seen)
        }
    }

    @Test("a lying central directory: declared 1000 bytes, 4 MiB inside; stopped at 1000, never finished")
    func lyingDirectory() async throws {
        let liar = Entry.file("small.txt", Array(repeating: 0, count: 4 << 20), deflate: true).with { $0.declaredSize = 1000 }
        let (error, seen) = try await Self.extractionError([Self.ok, liar])
        #expect(error == ZipError(.exceedsDeclaredSize(declared: 1000), entry: "small.txt"))
        #expect(seen.bytes["small.txt", default: 0] <= 1000, "no byte past the declared size reaches the store")
        #expect(seen.finishedPaths == ["ok.txt"], "the lying entry never ends successfully")
    }

    @Test("under a small byte limit, a lying directory still stops at its declared size")
    func lyingPastTheLimit() async throws {
        let liar = Entry.file("big.bin", Array(repeating: 7, count: 3 << 20), deflate: true).with { $0.declaredSize = 2000 }
        let archive = HostileZips.archive([liar])
        let plan = try ZipInspector.plan(.data(archive), limits: ZipLimits(maxBytes: 4000))
        await #expect(throws: ZipError(.exceedsDeclaredSize(declared: 2000), entry: "big.bin")) {
            try await Self.extractAll(plan, archive)
        }
    }

    @Test("a wrong CRC-32 fails the entry at its end")
    func wrongChecksum() async throws {
        let (error, seen) = try await Self.extractionError([Entry.file("a.txt", text: "hello").with { $0.declaredCRC = 0xDEAD_BEEF }])
        #expect(error == ZipError(.checksumMismatch, entry: "a.txt"))
        #expect(seen.finishedPaths.isEmpty)
    }

    @Test("a directory that declares more than the data holds")
    func shorterThanDeclared() async throws {
        let (error, _) = try await Self.extractionError([Entry.file("a.txt", text: String(repeating: "abc", count: 100), deflate: true).with {
            $0.declaredSize = 301
        }])
        #expect(error == ZipError(.shorterThanDeclared(declared: 301), entry: "a.txt"))
    }

    @Test("deflate data that never ends is refused, not inflated for ever")
    func unterminatedDeflate() async throws {
        // A stored block that promises 65535 bytes, followed by only ten: the input runs out mid-block.
        let block: [UInt8] = [0x00, 0xFF, 0xFF, 0x00, 0x00] + Array(repeating: 0x61, count: 10)
        let entry = Entry.file("cut.txt").with {
            $0.method = 8
            $0.rawData = block
            $0.declaredSize = 70000
        }
        let (error, _) = try await Self.extractionError([entry], bufferSize: 1 << 10)
        #expect(error == ZipError(.corruptData, entry: "cut.txt"))
    }

    @Test("a local header that names another file than the directory")
    func localHeaderMismatch() async throws {
        let (error, _) = try await Self.extractionError([Entry.file("safe.txt", text: "x").with { $0.localName = Array("../evil.txt".utf8) }])
        #expect(error == ZipError(.malformed("the local header disagrees with the central directory"), entry: "safe.txt"))
    }

    @Test("a store that fails is named with its entry; one that stops reading is caught")
    func storeFailures() async throws {
        struct Full: Error {}
        let archive = HostileZips.archive([.file("a.txt", text: "a"), .file("b.txt", Array(repeating: 9, count: 1 << 20))])
        let plan = try ZipInspector.plan(.data(archive))
        do {
            _ = try await ZipExtractor.extract(plan, from: .data(archive)) { file, bytes in
                for try await _ in bytes where file.path == "b.txt" { throw Full() }
                return file.path
            }
            Issue.record("extracted although the store failed")
        } catch let error as ZipStoreError {
            #expect(error.entry == "b.txt")
            #expect(error.underlying is Full)
        }
        do {
            _ = try await ZipExtractor.extract(plan, from: .data(archive), bufferSize: 1024) { file, _ in file.path }
            Issue.record("extracted although the store never read")
        } catch let error as ZipStoreError {
            #expect(error.entry == "a.txt")
            #expect(error.underlying is ZipEntryNotDrained)
        }
    }
}

// MARK: - A good archive

extension ZipUnpackingTests {
    static let report = Array((0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 / 7) })
    static let text = String(repeating: "Atrium unpacks zips. ", count: 400)
    static let inner = HostileZips.archive([.file("inside.txt", text: "inside")])

    /// Nested folders, empty folders, unicode names in three encodings, an empty file, a nested
    /// zip, and junk to skip.
    static let goodEntries: [Entry] = [
        .folder("a/"),
        .folder("a/b/"),
        .file("a/b/c/file.txt", text: text, deflate: true),
        .folder("empty/"),
        .folder("empty/inner/"),
        .file("\u{DC}bersicht 2026.pdf", report),
        // NFD, as macOS writes it, and without the UTF-8 flag, as macOS writes it.
        .raw(Array("Cafe\u{301}.txt".utf8), utf8Flag: false, Array("café".utf8)),
        // Code page 437: 0x82 is é.
        .raw([0x72, 0x82, 0x73, 0x75, 0x6D, 0x82, 0x2E, 0x74, 0x78, 0x74], utf8Flag: false, Array("cv".utf8)),
        .file("docs/readme.md", text: "# Read me\n"),
        .file("zero.txt"),
        .file("inner.zip", Array(inner)),
        .file("__MACOSX/._\u{DC}bersicht 2026.pdf", Array(repeating: 0, count: 82)),
        .file(".DS_Store", Array(repeating: 1, count: 64)),
        .file("docs/Thumbs.db", Array(repeating: 2, count: 64)),
    ]

    static let expectedFiles: [String: Data] = [
        "a/b/c/file.txt": Data(text.utf8),
        "\u{DC}bersicht 2026.pdf": Data(report),
        "Caf\u{E9}.txt": Data("café".utf8),
        "r\u{E9}sum\u{E9}.txt": Data("cv".utf8),
        "docs/readme.md": Data("# Read me\n".utf8),
        "zero.txt": Data(),
        "inner.zip": inner,
    ]

    @Test("a good archive plans folders (parents first), files in path order, junk skipped")
    func goodPlan() throws {
        let plan = try ZipInspector.plan(.data(HostileZips.archive(Self.goodEntries)))
        #expect(plan.folders == ["a", "a/b", "a/b/c", "docs", "empty", "empty/inner"])
        // "Ü" (U+00DC) sorts after "z": paths compare by Unicode scalar, in any case.
        #expect(plan.files.map(\.path) == ["a/b/c/file.txt", "Caf\u{E9}.txt", "docs/readme.md", "inner.zip", "r\u{E9}sum\u{E9}.txt",
                                           "zero.txt", "\u{DC}bersicht 2026.pdf"])
        #expect(plan.files.map(\.size) == [Int64(Self.text.utf8.count), 5, 10, Int64(Self.inner.count), 2, 0, 5000])
        #expect(plan.files.map(\.name) == ["file.txt", "Caf\u{E9}.txt", "readme.md", "inner.zip", "r\u{E9}sum\u{E9}.txt",
                                           "zero.txt", "\u{DC}bersicht 2026.pdf"])
        #expect(plan.files.map(\.folder) == ["a/b/c", "", "docs", "", "", "", ""])
        #expect(plan.skipped == ["__MACOSX/._\u{DC}bersicht 2026.pdf", ".DS_Store", "docs/Thumbs.db"])
        #expect(plan.totalBytes == Self.expectedFiles.values.reduce(0) { $0 + Int64($1.count) })
        #expect(plan.depth == 3)
    }

    @Test("the plan does not depend on the order of the entries")
    func deterministic() throws {
        let forwards = try ZipInspector.plan(.data(HostileZips.archive(Self.goodEntries)))
        let backwards = try ZipInspector.plan(.data(HostileZips.archive(Self.goodEntries.reversed())))
        #expect(forwards.folders == backwards.folders)
        #expect(forwards.files.map(\.path) == backwards.files.map(\.path))
    }

    @Test("a good archive extracts exactly, byte for byte, however small the chunks", arguments: [64 << 10, 1000, 7])
    func goodExtraction(bufferSize: Int) async throws {
        let archive = HostileZips.archive(Self.goodEntries)
        let plan = try ZipInspector.plan(.data(archive))
        let seen = Seen()
        #expect(try await Self.extractAll(plan, archive, bufferSize: bufferSize, seen: seen) == Self.expectedFiles)
        #expect(seen.finishedPaths == plan.files.map(\.path), "one store call per file, in the plan's order")
    }

    @Test("ZIP64 records: sizes and offsets from the extra field")
    func zip64() async throws {
        let archive = HostileZips.archive([.file("a.txt", text: "first"), Entry.file("b/c.txt", text: String(repeating: "z", count: 3000), deflate: true).with {
            $0.zip64 = true
        }])
        let plan = try ZipInspector.plan(.data(archive))
        #expect(plan.files.map(\.size) == [5, 3000])
        #expect(try await Self.extractAll(plan, archive) == ["a.txt": Data("first".utf8), "b/c.txt": Data(String(repeating: "z", count: 3000).utf8)])
    }

    @Test("the pipe holds at most its capacity: the inflating thread waits for the store")
    func backpressure() async throws {
        final class Counter: Sendable {
            let sent = Mutex(0)
        }
        let pipe = ChunkPipe(capacity: 2), counter = Counter()
        DispatchQueue.global().async {
            pipe.finish(Result {
                for index in 0..<12 {
                    try pipe.send(Data([UInt8(index)]))
                    counter.sent.withLock { $0 += 1 }
                }
            })
        }
        var received: [UInt8] = []
        for try await chunk in ZipEntryBytes(pipe: pipe) {
            received += chunk
            try await Task.sleep(for: .milliseconds(10))
            // Each chunk taken frees one place: at most `capacity` more can have been sent.
            #expect(counter.sent.withLock { $0 } <= received.count + 2)
        }
        #expect(received == Array(0..<12))
        #expect(pipe.drained)
    }

    @Test("a large entry streams through in chunks, from a file on disk")
    func fromFile() async throws {
        // Pseudo-random bytes: they barely compress, so the ratio limit stays out of the way.
        var seed: UInt32 = 1
        let big = (0..<(3 << 20)).map { _ in
            seed = seed &* 1_664_525 &+ 1_013_904_223
            return UInt8(seed >> 24)
        }
        let archive = HostileZips.archive([.file("big.bin", big, deflate: true), .file("small.txt", text: "s")])
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("zip-\(UUID().uuidString).zip")
        try archive.write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let source = try ZipSource.file(at: url.path)
        let plan = try ZipInspector.plan(source)
        let seen = Seen()
        let files = try await Self.extractAll(plan, source, bufferSize: 16 << 10, seen: seen)
        #expect(files == ["big.bin": Data(big), "small.txt": Data("s".utf8)])
        #expect(seen.bytes["big.bin"] == big.count)
    }
}

// MARK: - Limits from configuration, names that never overwrite

extension ZipUnpackingTests {
    static func limits(_ environment: [String: String]) throws -> ZipLimits {
        try ZipLimits(reader: ServiceConfiguration.reader(arguments: ["test"], environment: environment))
    }

    @Test("zip.max.entries, zip.max.bytes and zip.max.ratio are read; nonsense is an error")
    func configuration() throws {
        #expect(try Self.limits([:]) == ZipLimits())
        let limits = try Self.limits(["ATRIUM_ZIP_MAX_ENTRIES": "50", "ATRIUM_ZIP_MAX_BYTES": "1048576", "ATRIUM_ZIP_MAX_RATIO": "20"])
        #expect(limits.maxEntries == 50)
        #expect(limits.maxBytes == 1 << 20)
        #expect(limits.maxEntryRatio == 20)
        #expect(limits.maxArchiveRatio == 20)
        #expect(limits.maxDepth == ZipLimits().maxDepth)
        #expect(throws: ConfigurationError.self) { try Self.limits(["ATRIUM_ZIP_MAX_ENTRIES": "lots"]) }
        #expect(throws: ConfigurationError.self) { try Self.limits(["ATRIUM_ZIP_MAX_RATIO": "0"]) }
    }

    @Test("a taken name gets (1), (2), …: extension kept, any case, never overwriting")
    func uniqueNames() {
        #expect(UniqueName.make("report.pdf", avoiding: ["other.pdf"]) == "report.pdf")
        #expect(UniqueName.make("report.pdf", avoiding: ["report.pdf"]) == "report (1).pdf")
        #expect(UniqueName.make("report.pdf", avoiding: ["REPORT.PDF", "Report (1).pdf"]) == "report (2).pdf")
        #expect(UniqueName.make("report (1).pdf", avoiding: ["report.pdf", "report (1).pdf"]) == "report (2).pdf")
        #expect(UniqueName.make("Caf\u{E9}", avoiding: ["cafe\u{301}"]) == "Caf\u{E9} (1)")
        #expect(UniqueName.make(".profile", avoiding: [".profile"]) == ".profile (1)")
        #expect(UniqueName.make("notes.", avoiding: ["notes."]) == "notes. (1)")
        #expect(UniqueName.make("a.tar.gz", avoiding: ["a.tar.gz"]) == "a.tar (1).gz")
        #expect(UniqueName.make("2024 (draft).txt", avoiding: ["2024 (draft).txt"]) == "2024 (draft) (1).txt")
        let long = String(repeating: "x", count: 116) + ".pdf"
        #expect(UniqueName.make(long, avoiding: [long]) == String(repeating: "x", count: 112) + " (1).pdf", "120 characters at most")
        #expect(UniqueName.assign(["a.txt", "A.txt", "a.txt", "b.txt"], avoiding: ["a.txt"])
            == ["a (1).txt", "A (2).txt", "a (3).txt", "b.txt"])
    }
}
