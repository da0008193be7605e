import Foundation
import XCTest
import TestSupport
@testable import SpectrumAnalysis
@testable import SpectrumMetrics
@testable import RunFormat
@testable import Corpus

final class CorpusTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("corpus-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func write(_ name: String, _ bytes: [UInt8]) throws -> URL {
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url
    }

    func testLinesAreSplitOnNewlineTrimmedAndOffsetsPointAtTheRawLine() throws {
        let text = "  first line\t\n\n\u{3000}second\u{1F}\n \nlast"
        let corpus = try Corpus(contentsOf: write("a.txt", Array(text.utf8)))
        XCTAssertEqual(corpus.lines.map(\.text), ["first line", "second", "last"])
        let bytes = Array(text.utf8)
        for line in corpus.lines {
            let raw = String(decoding: bytes[line.byteOffset ..< line.byteOffset + line.byteLength], as: UTF8.self)
            XCTAssertTrue(raw.contains(line.text), "offset of '\(line.text)' points at '\(raw)'")
        }
    }

    func testInvalidUTF8BecomesReplacementCharacters() throws {
        let corpus = try Corpus(contentsOf: write("bad.txt", [0x61, 0xFF, 0x62, 0x0A, 0xC3]))
        XCTAssertEqual(corpus.lines.map(\.text), ["a\u{FFFD}b", "\u{FFFD}"])
    }

    func testGzipEqualsPlainTextAndTruncatedGzipIsAnError() throws {
        let text = (0..<2000).map { "line \($0) of some text" }.joined(separator: "\n")
        let plain = try write("plain.txt", Array(text.utf8))
        XCTAssertEqual(try runSubprocess("/bin/gzip", ["-k", "-f", plain.path]).status, 0)
        let gz = URL(fileURLWithPath: plain.path + ".gz")
        XCTAssertEqual(try Corpus(contentsOf: gz).lines, try Corpus(contentsOf: plain).lines)

        let data = try Data(contentsOf: gz)
        let truncated = try write("cut.txt.gz", Array(data.prefix(data.count / 2)))
        XCTAssertThrowsError(try Corpus(contentsOf: truncated)) { error in
            XCTAssertTrue(String(describing: error).contains("cut.txt.gz"))
            XCTAssertTrue(String(describing: error).contains("truncated"))
        }
    }

    func testJSONLinesReadTheChosenField() throws {
        let jsonl = "{\"text\": \"alpha\\nbeta\", \"body\": \"x\"}\n\n{\"text\": \"gamma\", \"body\": \"y\"}\n"
        let url = try write("c.jsonl", Array(jsonl.utf8))
        XCTAssertEqual(try Corpus(contentsOf: url).lines.map(\.text), ["alpha", "beta", "gamma"])
        XCTAssertEqual(try Corpus(contentsOf: url, textField: "body").lines.map(\.text), ["x", "y"])
        XCTAssertThrowsError(try Corpus(contentsOf: url, textField: "missing")) { error in
            XCTAssertTrue(String(describing: error).contains("\"missing\""))
        }
        let broken = try write("broken.jsonl", Array("{\"text\": 1\n".utf8))
        XCTAssertThrowsError(try Corpus(contentsOf: broken))
    }

    func testDirectoryIsReadInNameOrder() throws {
        let folder = directory.appendingPathComponent("docs")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data("second\n".utf8).write(to: folder.appendingPathComponent("b.txt"))
        try Data("first\n".utf8).write(to: folder.appendingPathComponent("a.txt"))
        try Data("ignored\n".utf8).write(to: folder.appendingPathComponent("c.md"))
        let corpus = try Corpus(contentsOf: folder)
        XCTAssertEqual(corpus.lines.map(\.text), ["first", "second"])
        XCTAssertEqual(corpus.lines.map(\.byteOffset), [0, 6])
        // Each file with its size, SHA-256 (of "first\n": a known digest) and offset in the stream.
        XCTAssertEqual(corpus.files.map(\.name), ["a.txt", "b.txt"])
        XCTAssertEqual(corpus.files.map(\.byteCount), [6, 7])
        XCTAssertEqual(corpus.files.map(\.byteOffset), [0, 6])
        XCTAssertEqual(corpus.files[0].sha256, "b640e840b19d378660b32fb51ae18d67dccb4a8596a29e7bd72c1b2ae5928f41")  // sha256sum
    }

    func testAJSONFileIsRefusedNotReadAsText() throws {
        let url = try write("records.json", Array("[{\"text\": \"a\"}]\n".utf8))
        XCTAssertThrowsError(try Corpus(contentsOf: url)) { error in
            XCTAssertTrue("\(error)".contains("records.json") && "\(error)".contains(".jsonl"), "\(error)")
        }
    }

    func testMissingAndEmptyCorporaAreClearErrors() throws {
        XCTAssertThrowsError(try Corpus(contentsOf: directory.appendingPathComponent("nope.txt"))) { error in
            XCTAssertTrue(String(describing: error).contains("nope.txt"))
        }
        XCTAssertThrowsError(try Corpus(contentsOf: write("empty.txt", Array(" \n\t\n".utf8)))) { error in
            XCTAssertTrue(String(describing: error).contains("no non-empty lines"))
        }
    }
}
