import Foundation
import XCTest
import TestSupport
@testable import Corpus

/// The checksums recorded in run files: FIPS 180-4 test vectors, streaming in uneven pieces, and a
/// file against coreutils' `sha256sum`.
final class SHA256Tests: XCTestCase {
    private func digest(_ text: String) throws -> String {
        let hasher = try SHA256()
        hasher.update(Data(text.utf8))
        return hasher.finalize()
    }

    func testKnownAnswers() throws {
        XCTAssertEqual(try digest(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(try digest("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(try digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        // One million 'a', fed in pieces of uneven sizes (block boundaries fall inside pieces).
        let hasher = try SHA256()
        var fed = 0, piece = 1
        while fed < 1_000_000 {
            let count = min(piece, 1_000_000 - fed)
            hasher.update(Data(repeating: UInt8(ascii: "a"), count: count))
            fed += count
            piece = piece * 7 % 997 + 1
        }
        XCTAssertEqual(hasher.finalize(), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        XCTAssertEqual(hasher.finalize(), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", "finalize is idempotent")
    }

    func testFileDigestEqualsSha256sum() throws {
        let file = SharedTestPaths.tinyRoberta.appendingPathComponent("model.safetensors")
        let reference = try runSubprocess("/usr/bin/sha256sum", [file.path])
        XCTAssertEqual(reference.status, 0, reference.errors)
        XCTAssertEqual(try SHA256.hex(ofFile: file), String(reference.output.prefix(64)))
    }
}
