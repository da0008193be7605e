import XCTest
@testable import HDF5Store

final class AttributeTests: XCTestCase {
    func testEveryKindRoundTripsOnFileGroupAndDataset() throws {
        let path = try temporaryDirectory(self).appendingPathComponent("attrs.h5").path
        let values: [String: AttributeValue] = [
            "model": .string("all-MiniLM-L6-v2 ✓"),
            "empty": .string(""),
            "layers": .int64(6),
            "seed": .int64(.min),
            "delta": .double(1.0 / 512.0),
            "shape": .int64Array([2, 6, 12, 512]),
            "grid": .doubleArray([0.1, 0.2, .pi, -1e-300]),
            "names": .stringArray(["σ", "", "k90"]),
            "none": .int64Array([]),
        ]
        do {
            let file = try File.create(path)
            let group = try file.createGroup("spectrum")
            let dataset = try group.createDataset("sigma", type: .float64, shape: [1])
            for attributes in [file.attributes, group.attributes, dataset.attributes] {
                for (name, value) in values { try attributes.set(name, value) }
            }
        }
        let file = try File.open(path)
        let owners = [file.attributes, try file.openGroup("spectrum").attributes,
                      try file.openDataset("spectrum/sigma").attributes]
        for attributes in owners {
            XCTAssertEqual(try attributes.names(), values.keys.sorted())
            for (name, value) in values {
                XCTAssertEqual(try attributes.value(name), value, name)
            }
            XCTAssertEqual(try attributes.string("model"), "all-MiniLM-L6-v2 ✓")
            XCTAssertEqual(try attributes.int64("layers"), 6)
            XCTAssertEqual(try attributes.double("delta"), 1.0 / 512.0)
            XCTAssertEqual(try attributes.int64Array("shape"), [2, 6, 12, 512])
            XCTAssertEqual(try attributes.int64Array("layers"), [6])
            XCTAssertEqual(try attributes.doubleArray("grid"), [0.1, 0.2, .pi, -1e-300])
            XCTAssertEqual(try attributes.stringArray("names"), ["σ", "", "k90"])
            XCTAssertThrowsError(try attributes.int64("model")) { error in
                guard case .typeMismatch(_, let object, "Int64", "String")? = error as? HDF5Error else {
                    return XCTFail("\(error)")
                }
                XCTAssertTrue(object.hasSuffix("@model"), object)
            }
        }
    }

    func testOverwriteReplacesValueAndTypeAndRemove() throws {
        let path = try temporaryDirectory(self).appendingPathComponent("overwrite.h5").path
        let attributes = try File.create(path).attributes
        try attributes.set("sequences", Int64(10))
        try attributes.set("sequences", Int64(20))
        XCTAssertEqual(try attributes.int64("sequences"), 20)
        try attributes.set("sequences", ["now", "strings"])
        XCTAssertEqual(try attributes.stringArray("sequences"), ["now", "strings"])
        XCTAssertEqual(try attributes.names(), ["sequences"])
        XCTAssertTrue(try attributes.contains("sequences"))
        try attributes.remove("sequences")
        XCTAssertFalse(try attributes.contains("sequences"))
        XCTAssertThrowsError(try attributes.remove("sequences"))
        XCTAssertThrowsError(try attributes.set("bad", "nul\u{0}inside"))
    }
}
