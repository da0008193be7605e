import Foundation
import XCTest
import TestSupport
@testable import Tokenizers

/// Paths and fixture readers shared by the tokenizer tests.
enum TestSupport {
    static let repositoryRoot = SharedTestPaths.repositoryRoot

    static let fixtures = SharedTestPaths.fixtures.appendingPathComponent("tokenizers")

    /// `$SPECTRUM_MODEL_DIR/tokenizer.json`, or the repository's copy of all-MiniLM-L6-v2.
    static var miniLMTokenizerURL: URL { SharedTestPaths.realModel.appendingPathComponent("tokenizer.json") }

    static var robertaTokenizerURL: URL { fixtures.appendingPathComponent("roberta-bpe/tokenizer.json") }

    static var corpusURL: URL { SharedTestPaths.corpus }

    /// The real MiniLM tokenizer; fails (never skips) when the model folder is missing.
    static func miniLM() throws -> Tokenizer {
        let url = miniLMTokenizerURL
        guard FileManager.default.fileExists(atPath: url.path) else {
            XCTFail("missing \(url.path): run `make model` (or set SPECTRUM_MODEL_DIR)")
            throw TokenizerError.unreadableFile(path: url.path, reason: "missing")
        }
        return try Tokenizer(contentsOf: url)
    }

    static func roberta() throws -> Tokenizer { try Tokenizer(contentsOf: robertaTokenizerURL) }

    /// One hard-string case written by scripts/make-tokenizer-fixtures.py.
    struct Case: Decodable {
        let text: String
        let ids: [Int32]
        let tokens: [String]
        let ids_with_special: [Int32]
        let decoded: String
        let decoded_skip_special: String
    }

    struct Cases: Decodable { let cases: [Case] }

    static func cases(_ name: String) throws -> [Case] {
        let data = try Data(contentsOf: fixtures.appendingPathComponent(name))
        return try JSONDecoder().decode(Cases.self, from: data).cases
    }

    /// The whole-corpus summary written by scripts/make-tokenizer-fixtures.py.
    struct CorpusSummary: Decodable {
        let lines: Int
        let ids: Int
        let fnv1a64: String
        let first_ids: [Int32]
        let line_lengths_u16le_base64: String
        let block_lines: Int
        let block_fnv1a64: [String]

        var lineLengths: [Int] {
            guard let data = Data(base64Encoded: line_lengths_u16le_base64) else { return [] }
            let bytes = [UInt8](data)
            return stride(from: 0, to: bytes.count - 1, by: 2).map { Int(bytes[$0]) | Int(bytes[$0 + 1]) << 8 }
        }
    }

    static func corpusSummary(_ name: String) throws -> CorpusSummary {
        let data = try Data(contentsOf: fixtures.appendingPathComponent(name))
        return try JSONDecoder().decode(CorpusSummary.self, from: data)
    }

    /// The decompressed bytes of a gzip file (`gzip -dc`).
    static func gunzip(_ url: URL) throws -> Data {
        let result = try runSubprocess("/usr/bin/env", ["gzip", "-dc", url.path])
        XCTAssertEqual(result.status, 0, "gzip -dc \(url.path) failed: \(result.errors)")
        return result.stdout
    }

    /// The corpus lines as the packing step defines them: `gzip -dc`, UTF-8 with replacement,
    /// split on "\n" only, leading/trailing `White_Space` scalars trimmed, empty lines skipped.
    static func corpusLines() throws -> [String] {
        let url = corpusURL
        guard FileManager.default.fileExists(atPath: url.path) else {
            XCTFail("missing corpus \(url.path): run `make corpus` (or set SPECTRUM_CORPUS)")
            return []
        }
        let data = try gunzip(url)
        let scalars = Array(String(decoding: data, as: UTF8.self).unicodeScalars)
        var lines: [String] = []
        var start = 0
        for index in 0...scalars.count where index == scalars.count || scalars[index] == "\n" {
            var lower = start
            var upper = index
            while lower < upper && scalars[lower].properties.isWhitespace { lower += 1 }
            while upper > lower && scalars[upper - 1].properties.isWhitespace { upper -= 1 }
            if upper > lower { lines.append(scalars[lower..<upper].string) }
            start = index + 1
        }
        return lines
    }

    /// FNV-1a 64 over the little-endian bytes of `ids`, continuing from `hash`.
    static func fnv1a64<C: Collection>(_ ids: C, hash: UInt64 = 0xCBF2_9CE4_8422_2325) -> UInt64 where C.Element == Int32 {
        var hash = hash
        for id in ids {
            var value = UInt32(bitPattern: id)
            for _ in 0..<4 {
                hash ^= UInt64(value & 0xFF)
                hash = hash &* 0x0000_0100_0000_01B3
                value >>= 8
            }
        }
        return hash
    }

    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
