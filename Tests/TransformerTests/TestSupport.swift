import Foundation
import XCTest
import TestSupport
@testable import Transformer

/// Paths of committed fixtures and of the real model, found from this file's location.
enum TestPaths {
    static let testsDirectory = SharedTestPaths.testsDirectory
    static let repositoryRoot = SharedTestPaths.repositoryRoot
    static let fixtures = SharedTestPaths.fixtures.appendingPathComponent("transformer")
    static let tinyRoberta = SharedTestPaths.tinyRoberta

    /// `SPECTRUM_MODEL_DIR`, else the repository's `notebooks-data/models/all-MiniLM-L6-v2`.
    static var miniLM: URL { SharedTestPaths.realModel }
}

/// One reference case written by `scripts/make-encoder-fixtures.py`: a JSON index plus a float32 blob.
struct ReferenceCase {
    let json: [String: Any]
    let blob: [Float]

    init(_ name: String) throws {
        let index = TestPaths.fixtures.appendingPathComponent(name + ".json")
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: index))
        json = try XCTUnwrap(object as? [String: Any], "\(name).json is not an object")
        let blobName = try XCTUnwrap(json["blob"] as? String)
        let data = try Data(contentsOf: TestPaths.fixtures.appendingPathComponent(blobName))
        blob = data.withUnsafeBytes { raw in
            (0..<(raw.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
    }

    var inputIds: [Int32] { ((json["input_ids"] as? [Int]) ?? []).map { Int32($0) } }

    func int(_ key: String) throws -> Int { try XCTUnwrap(json[key] as? Int, "missing \(key)") }

    /// The named array of the blob with its shape.
    func array(_ name: String) throws -> (values: [Float], shape: [Int]) {
        let arrays = try XCTUnwrap(json["arrays"] as? [String: Any])
        let entry = try XCTUnwrap(arrays[name] as? [String: Any], "no array \(name)")
        let offset = try XCTUnwrap(entry["offset"] as? Int)
        let shape = try XCTUnwrap(entry["shape"] as? [Int])
        let count = shape.reduce(1, *)
        return (Array(blob[offset..<(offset + count)]), shape)
    }
}

/// Largest |a − b| over two equally long arrays (∞ when the lengths differ).
func maxAbsDifference(_ a: [Float], _ b: [Float]) -> Float {
    guard a.count == b.count else { return .infinity }
    var worst: Float = 0
    for i in a.indices {
        let d = abs(a[i] - b[i])
        if !(d <= worst) { worst = d.isNaN ? .infinity : d }
    }
    return worst
}

/// Builds `.safetensors` files byte by byte, including deliberately broken ones.
enum SafeTensorsWriter {
    struct Tensor {
        var name: String
        var dtype: String = "F32"
        var shape: [Int]
        var data: Data

        init(_ name: String, shape: [Int], floats: [Float]) {
            self.name = name
            self.shape = shape
            var data = Data()
            for value in floats { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
            self.data = data
        }
    }

    /// A valid file: tensors laid out back to back in the given order.
    static func file(_ tensors: [Tensor], metadata: [String: String]? = ["format": "pt"]) -> Data {
        var header: [String: Any] = [:]
        if let metadata { header["__metadata__"] = metadata }
        var offset = 0
        var body = Data()
        for tensor in tensors {
            header[tensor.name] = ["dtype": tensor.dtype, "shape": tensor.shape, "data_offsets": [offset, offset + tensor.data.count]]
            offset += tensor.data.count
            body.append(tensor.data)
        }
        let json = (try? JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])) ?? Data()
        return raw(headerJSON: json, body: body)
    }

    /// Length prefix (the JSON's byte count unless `declaredLength` overrides it), JSON, body.
    static func raw(headerJSON: Data, body: Data, declaredLength: UInt64? = nil) -> Data {
        var data = Data()
        withUnsafeBytes(of: (declaredLength ?? UInt64(headerJSON.count)).littleEndian) { data.append(contentsOf: $0) }
        data.append(headerJSON)
        data.append(body)
        return data
    }

    static func raw(header: String, body: Data, declaredLength: UInt64? = nil) -> Data {
        raw(headerJSON: Data(header.utf8), body: body, declaredLength: declaredLength)
    }
}

/// A fresh temporary directory removed when the test case ends.
final class TemporaryDirectory {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("transformer-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }

    func write(_ data: Data, to name: String) throws -> URL {
        let file = url.appendingPathComponent(name)
        try data.write(to: file)
        return file
    }
}

/// Asserts that `body` throws a ``TransformerError`` matching `predicate` and whose message
/// contains each of `mentions`.
func assertThrowsTransformerError(
    _ body: @autoclosure () throws -> Any, mentions: [String],
    file: StaticString = #filePath, line: UInt = #line, _ predicate: (TransformerError) -> Bool
) {
    do {
        _ = try body()
        XCTFail("expected a TransformerError", file: file, line: line)
    } catch let error as TransformerError {
        XCTAssertTrue(predicate(error), "unexpected error case: \(error)", file: file, line: line)
        for mention in mentions {
            XCTAssertTrue(error.description.contains(mention), "'\(error)' does not mention '\(mention)'", file: file, line: line)
        }
    } catch {
        XCTFail("expected a TransformerError, got \(error)", file: file, line: line)
    }
}

/// The larger of two errors, NaN winning: Swift's `max` drops a NaN error, which would let a
/// comparison against a bound pass on garbage.
func nanMax<T: FloatingPoint>(_ a: T, _ b: T) -> T { a.isNaN || b.isNaN ? .nan : max(a, b) }
