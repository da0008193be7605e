import Foundation
import XCTest
@testable import Transformer

/// The safetensors reader: conversions, and every malformed-file case refused with an error that
/// names the file (and tensor where there is one).
final class SafeTensorsTests: XCTestCase {
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws { directory = try TemporaryDirectory() }
    override func tearDown() { directory = nil }

    private let body = Data(count: 16)

    func testReadsCraftedFileAndSkipsMetadata() throws {
        let url = try directory.write(SafeTensorsWriter.file([
            .init("a", shape: [2, 2], floats: [1, -2, 3.5, 0]),
            .init("b", shape: [3], floats: [0.25, 1e-3, -7]),
        ]), to: "ok.safetensors")
        let tensors = try SafeTensors(contentsOf: url)
        XCTAssertEqual(tensors.tensorNames, ["a", "b"])
        XCTAssertEqual(tensors.shape(of: "a"), [2, 2])
        XCTAssertNil(tensors.shape(of: "c"))
        XCTAssertEqual(tensors.metadata, ["format": "pt"])
        XCTAssertEqual(try tensors.floats("a"), [1, -2, 3.5, 0])
        XCTAssertEqual(try tensors.floats("b"), [0.25, 1e-3, -7])
    }

    func testHalfPrecisionFilesEqualRoundedSinglePrecision() throws {
        let single = try SafeTensors(contentsOf: TestPaths.tinyRoberta.appendingPathComponent("model.safetensors"))
        let half = try SafeTensors(contentsOf: TestPaths.fixtures.appendingPathComponent("tiny-roberta-f16.safetensors"))
        let brain = try SafeTensors(contentsOf: TestPaths.fixtures.appendingPathComponent("tiny-roberta-bf16.safetensors"))
        XCTAssertEqual(half.entry("encoder.layer.0.attention.self.query.weight")?.dtype, .f16)
        XCTAssertEqual(brain.entry("encoder.layer.0.attention.self.query.weight")?.dtype, .bf16)
        XCTAssertEqual(Set(half.tensorNames), Set(single.tensorNames))
        var checked = 0
        for name in single.tensorNames {
            let reference = try single.floats(name)
            XCTAssertEqual(half.shape(of: name), single.shape(of: name), name)
            let halfValues = try half.floats(name), brainValues = try brain.floats(name)
            for i in reference.indices {
                // torch rounds to nearest even; both conversions back to Float are exact.
                XCTAssertEqual(halfValues[i], Self.roundedToHalf(reference[i]), "\(name)[\(i)]")
                XCTAssertEqual(brainValues[i], Self.roundedToBFloat16(reference[i]), "\(name)[\(i)]")
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 40_000)
    }

    func testHalfBitPatternsConvertExactly() {
        XCTAssertEqual(HalfPrecision.float(fromHalfBits: 0x3C00), 1)
        XCTAssertEqual(HalfPrecision.float(fromHalfBits: 0xC000), -2)
        XCTAssertEqual(HalfPrecision.float(fromHalfBits: 0x7BFF), 65504)
        XCTAssertEqual(HalfPrecision.float(fromHalfBits: 0x0001), 0x1p-24)
        XCTAssertEqual(HalfPrecision.float(fromHalfBits: 0x03FF), Float(1023) * 0x1p-24)
        XCTAssertEqual(HalfPrecision.float(fromHalfBits: 0x8000).bitPattern, (-Float.zero).bitPattern)
        XCTAssertEqual(HalfPrecision.float(fromHalfBits: 0x7C00), .infinity)
        XCTAssertEqual(HalfPrecision.float(fromHalfBits: 0xFC00), -.infinity)
        XCTAssertTrue(HalfPrecision.float(fromHalfBits: 0x7E00).isNaN)
        XCTAssertEqual(HalfPrecision.float(fromBFloat16Bits: 0x3F80), 1)
        XCTAssertEqual(HalfPrecision.float(fromBFloat16Bits: 0xC0A0), -5)
        #if !(os(macOS) && arch(x86_64))
        for bits in UInt16.min...UInt16.max {
            let expected = Float(Float16(bitPattern: bits))
            let actual = HalfPrecision.float(fromHalfBits: bits)
            if expected.isNaN { XCTAssertTrue(actual.isNaN); continue }
            XCTAssertEqual(actual.bitPattern, expected.bitPattern, "half bits \(bits)")
        }
        #endif
    }

    // MARK: Malformed files

    func testTruncatedFileShorterThanLengthPrefix() throws {
        let url = try directory.write(Data([1, 2, 3]), to: "tiny.safetensors")
        assertThrowsTransformerError(try SafeTensors(contentsOf: url), mentions: ["tiny.safetensors"]) {
            if case .truncatedFile = $0 { return true } else { return false }
        }
    }

    func testTruncatedFileCutInsideData() throws {
        let valid = SafeTensorsWriter.file([.init("w", shape: [4], floats: [1, 2, 3, 4])])
        let url = try directory.write(valid.prefix(valid.count - 3), to: "cut.safetensors")
        assertThrowsTransformerError(try SafeTensors(contentsOf: url), mentions: ["cut.safetensors", "'w'"]) {
            if case .malformedHeader = $0 { return true } else { return false }
        }
    }

    func testHeaderLengthLargerThanFile() throws {
        let url = try directory.write(
            SafeTensorsWriter.raw(header: "{}", body: body, declaredLength: 4096), to: "long.safetensors")
        assertThrowsTransformerError(try SafeTensors(contentsOf: url), mentions: ["long.safetensors", "4096"]) {
            if case .truncatedFile = $0 { return true } else { return false }
        }
    }

    func testHeaderLengthAboveCap() throws {
        let url = try directory.write(
            SafeTensorsWriter.raw(header: "{}", body: body, declaredLength: UInt64.max), to: "huge.safetensors")
        assertThrowsTransformerError(try SafeTensors(contentsOf: url), mentions: ["huge.safetensors", "cap"]) {
            if case .malformedHeader = $0 { return true } else { return false }
        }
    }

    func testMalformedJSON() throws {
        for (index, header) in ["{\"a\": ", "[1, 2]", "{\"a\": 3}", "{\"a\": {\"dtype\": \"F32\", \"shape\": [1]}}",
                                "{\"a\": {\"dtype\": \"F32\", \"shape\": [-1], \"data_offsets\": [0, 0]}}",
                                "{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 2.5]}}",
                                "{\"__metadata__\": {\"k\": 1}}"].enumerated() {
            let url = try directory.write(SafeTensorsWriter.raw(header: header, body: body), to: "bad\(index).safetensors")
            assertThrowsTransformerError(try SafeTensors(contentsOf: url), mentions: ["bad\(index).safetensors"]) {
                if case .malformedHeader = $0 { return true } else { return false }
            }
        }
    }

    func testOffsetsOutsideDataSection() throws {
        let header = #"{"w": {"dtype": "F32", "shape": [4], "data_offsets": [8, 24]}}"#
        let url = try directory.write(SafeTensorsWriter.raw(header: header, body: body), to: "range.safetensors")
        assertThrowsTransformerError(try SafeTensors(contentsOf: url), mentions: ["range.safetensors", "'w'", "[8, 24]"]) {
            if case .malformedHeader = $0 { return true } else { return false }
        }
        let reversed = #"{"w": {"dtype": "F32", "shape": [0], "data_offsets": [8, 4]}}"#
        let url2 = try directory.write(SafeTensorsWriter.raw(header: reversed, body: body), to: "reversed.safetensors")
        assertThrowsTransformerError(try SafeTensors(contentsOf: url2), mentions: ["reversed.safetensors", "'w'"]) {
            if case .malformedHeader = $0 { return true } else { return false }
        }
    }

    func testOverlappingOffsets() throws {
        let header = #"{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}"#
        let url = try directory.write(SafeTensorsWriter.raw(header: header, body: body), to: "overlap.safetensors")
        assertThrowsTransformerError(try SafeTensors(contentsOf: url), mentions: ["overlap.safetensors", "'a'", "'b'", "overlap"]) {
            if case .malformedHeader = $0 { return true } else { return false }
        }
    }

    func testSizeDisagreeingWithShape() throws {
        let header = #"{"w": {"dtype": "F16", "shape": [3], "data_offsets": [0, 8]}}"#
        let url = try directory.write(SafeTensorsWriter.raw(header: header, body: body), to: "size.safetensors")
        assertThrowsTransformerError(try SafeTensors(contentsOf: url), mentions: ["size.safetensors", "'w'", "6 bytes"]) {
            if case .malformedHeader = $0 { return true } else { return false }
        }
        let overflowing = #"{"w": {"dtype": "F32", "shape": [4611686018427387904, 4], "data_offsets": [0, 8]}}"#
        let url2 = try directory.write(SafeTensorsWriter.raw(header: overflowing, body: body), to: "overflow.safetensors")
        assertThrowsTransformerError(try SafeTensors(contentsOf: url2), mentions: ["overflow.safetensors", "'w'"]) {
            if case .malformedHeader = $0 { return true } else { return false }
        }
    }

    func testUnknownDType() throws {
        let header = #"{"w": {"dtype": "F12", "shape": [1], "data_offsets": [0, 4]}}"#
        let url = try directory.write(SafeTensorsWriter.raw(header: header, body: body), to: "dtype.safetensors")
        assertThrowsTransformerError(try SafeTensors(contentsOf: url), mentions: ["dtype.safetensors", "'w'", "F12"]) {
            $0 == .unknownDType(file: url.path, tensor: "w", dtype: "F12")
        }
    }

    func testIntegerTensorIsNotReadAsFloat() throws {
        let header = #"{"ids": {"dtype": "I64", "shape": [2], "data_offsets": [0, 16]}}"#
        let url = try directory.write(SafeTensorsWriter.raw(header: header, body: body), to: "ints.safetensors")
        let tensors = try SafeTensors(contentsOf: url)
        XCTAssertEqual(tensors.shape(of: "ids"), [2])
        assertThrowsTransformerError(try tensors.floats("ids"), mentions: ["ints.safetensors", "'ids'", "I64"]) {
            if case .unsupportedDType = $0 { return true } else { return false }
        }
        assertThrowsTransformerError(try tensors.floats("nope"), mentions: ["ints.safetensors", "'nope'"]) {
            if case .missingTensor = $0 { return true } else { return false }
        }
    }

    func testMissingFile() {
        let url = directory.url.appendingPathComponent("absent.safetensors")
        assertThrowsTransformerError(try SafeTensors(contentsOf: url), mentions: ["absent.safetensors"]) {
            if case .cannotRead = $0 { return true } else { return false }
        }
    }

    // MARK: Rounding references (round to nearest, ties to even, as torch's `.to(float16/bfloat16)`)

    static func roundedToHalf(_ value: Float) -> Float {
        #if !(os(macOS) && arch(x86_64))
        return Float(Float16(value))
        #else
        return value
        #endif
    }

    static func roundedToBFloat16(_ value: Float) -> Float {
        let bits = value.bitPattern
        let lsb = (bits >> 16) & 1
        let rounded = (bits &+ 0x7FFF &+ lsb) & 0xFFFF_0000
        return Float(bitPattern: rounded)
    }
}
