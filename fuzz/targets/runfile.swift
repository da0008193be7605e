import Foundation
import HDF5Store
import SpectrumAnalysis

/// Below the fuzzer's 1 GiB allocation limit, so that a refused read shows as an error, not an OOM.
private let limitReads: Void = { HDF5ReadLimit.maximumBytes = 256 << 20 }()

/// Fuzzes run-file reading: open and validate the metadata, then everything a reader of a run file
/// does (aggregates and the summary table), on a mutated HDF5 file.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRunFile(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    limitReads
    let url = FuzzScratch.write(data, size, name: "run.h5")
    guard let file = try? RunFile(contentsOf: url) else { return 0 }
    _ = try? file.aggregate()
    _ = try? file.projectionAggregate()
    _ = try? file.summary(k: 8)
    return 0
}
