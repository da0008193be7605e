import Foundation
import HDF5Store
import SpectrumAnalysis
import SpectrumReport

/// Below the fuzzer's 1 GiB allocation limit, so that a refused read shows as an error, not an OOM.
private let limitReads: Void = { HDF5ReadLimit.maximumBytes = 256 << 20 }()

/// The tool whose child process checks each input (`FUZZ_CHECK_TOOL`, a release `spectrum-report`).
private let checkTool: URL? = ProcessInfo.processInfo.environment["FUZZ_CHECK_TOOL"].map { URL(fileURLWithPath: $0) }

/// Fuzzes everything the tools do with a run file from elsewhere, through their own entry points:
/// the child-process check (``RunFileCheck``, which turns a libhdf5 crash or hang into an error),
/// then, in this process, what `spectrum-report` (``ReportRun``), `merge` (records, aggregates),
/// `svd` (on a file without spectra) and the summary read. A crash here is a crash the tools would have: it must never happen.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRunFile(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    limitReads
    let url = FuzzScratch.write(data, size, name: "run.h5")
    if let checkTool {
        do { try RunFileCheck.validate(url, timeout: 10, executable: checkTool) } catch { return 0 }
    }
    guard let file = try? RunFile(contentsOf: url) else { return 0 }
    if !file.metadata.spectra {
        // An extract file: what `svd` does with it (the output goes to the scratch folder).
        let output = FuzzScratch.directory.appendingPathComponent("svd.h5")
        _ = try? SpectrumStage.addSpectra(input: url, output: output, force: true)
        try? FileManager.default.removeItem(at: output)
        return 0
    }
    _ = try? file.aggregate()
    _ = try? file.projectionAggregate()
    _ = try? file.summary(k: 8)
    _ = try? file.records()
    if let report = try? ReportRun(runFile: file) { _ = try? report.validate() }
    return 0
}
