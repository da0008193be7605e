import Foundation
import XCTest
import TestSupport

/// The repository root.
let repositoryRoot = SharedTestPaths.repositoryRoot

/// A fresh directory for one test, removed when the test ends.
func temporaryDirectory(_ test: XCTestCase) throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("HDF5StoreTests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url
}

/// `$SPECTRUM_PYTHON`, else the repository's `.venv/bin/python`, if it can import h5py and numpy.
func pythonWithH5py() throws -> String? {
    let candidate = SharedTestPaths.python.path
    guard FileManager.default.isExecutableFile(atPath: candidate) else { return nil }
    let probe = try runSubprocess(candidate, ["-c", "import h5py, numpy"])
    return probe.status == 0 ? candidate : nil
}
