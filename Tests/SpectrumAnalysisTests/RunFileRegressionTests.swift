import Foundation
import HDF5Store
import XCTest
@testable import SpectrumAnalysis
@testable import SpectrumMetrics
@testable import RunFormat
@testable import Corpus

/// Inputs found by `scripts/fuzz.sh runfile`, kept in Tests/Fixtures/fuzz-regressions/.
final class RunFileRegressionTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/fuzz-regressions")

    /// crash-26bca3d5…: `/projection/aggregate/theorem2_row_max_sum` claims 2 × 4 × 4.5·10¹⁵ values;
    /// `projectionAggregate()` allocated them (ASan: allocation-size-too-big). Now its shape is checked
    /// against layers × heads × K before reading.
    func testHugeDatasetExtentIsAnErrorNamingTheDataset() throws {
        let url = Self.fixtures.appendingPathComponent("runfile-huge-extent.h5")
        let file = try RunFile(contentsOf: url)
        XCTAssertThrowsError(try file.projectionAggregate()) { error in
            XCTAssertTrue("\(error)".contains("theorem2_row_max_sum"), "\(error)")
            XCTAssertTrue("\(error)".contains(url.path), "\(error)")
        }
    }

    /// Datasets whose per-row size disagrees with the metadata (possible in any hand-edited or
    /// corrupt file) used to index out of range in `summary(k:)`; now a message names the dataset.
    func testDatasetsShorterThanTheMetadataSaysAreRefused() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("short-\(UUID().uuidString).h5")
        defer { try? FileManager.default.removeItem(at: url) }
        var metadata = RunMetadata()
        (metadata.layers, metadata.heads, metadata.sequenceLength, metadata.headDimension) = (2, 3, 4, 8)
        do {
            let file = try File.create(url.path)
            try metadata.write(to: file)
            try file.attributes.set("sequence_count", Int64(1))
            try file.attributes.set("complete", Int64(1))
            for name in ["k90", "k95", "k99"] {
                try file.createDataset("spectrum/\(name)", type: .int32, shape: [1, 1, 1]).write([Int32(1)])
            }
            try file.createDataset("spectrum/entropy_rank", type: .float64, shape: [1, 1, 1]).write([1.0])
            try file.createDataset("spectrum/sigma", type: .float64, shape: [1, 1, 1, 4]).write([1.0, 0, 0, 0])
        }
        let file = try RunFile(contentsOf: url)
        XCTAssertThrowsError(try file.summary(k: 2)) { error in
            XCTAssertTrue("\(error)".contains("/spectrum/sigma has shape [1, 1, 1, 4]"), "\(error)")
        }
    }

    /// Absurd shape attributes are refused when the file is opened, before any product of them is
    /// formed or allocated.
    func testAbsurdShapeAttributesAreRefused() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("absurd-\(UUID().uuidString).h5")
        defer { try? FileManager.default.removeItem(at: url) }
        var metadata = RunMetadata()
        (metadata.layers, metadata.heads, metadata.sequenceLength, metadata.headDimension) = (1 << 40, 12, 512, 64)
        do {
            let file = try File.create(url.path)
            try metadata.write(to: file)
            try file.attributes.set("sequence_count", Int64(1))
            try file.attributes.set("complete", Int64(1))
        }
        XCTAssertThrowsError(try RunFile(contentsOf: url)) { error in
            XCTAssertTrue("\(error)".contains("absurd"), "\(error)")
        }
    }
}
