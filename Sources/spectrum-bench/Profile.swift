import Foundation
import SpectrumAnalysis

extension Session {
    /// 8. Where the toolkit's end-to-end time goes, in this process (same build): loading, hashing,
    /// forward and σ stage alone, HDF5 appends, and `Analysis.run`'s steady state per sequence.
    func profile(into results: inout Results) throws {
        log("profile")
        let section = "8 profile"
        for (name, seconds) in loadSeconds { results.single(section, name, unit: "s", swift: seconds) }
        var options = AnalysisOptions()
        options.sequences = bench.sequences
        options.sequenceLength = bench.sequenceLength
        options.projection = nil
        let (analysis, initSeconds) = try timed {
            try Analysis(modelDirectory: URL(fileURLWithPath: bench.model), corpus: URL(fileURLWithPath: bench.corpus), options: options)
        }
        results.single(section, "Analysis.init (all of the above for \(bench.sequences) windows)", unit: "s", swift: initSeconds)
        let (_, shaSeconds) = try timed { _ = try analysis.metadata() }
        results.single(section, "metadata (SHA-256 of model.safetensors)", unit: "s", swift: shaSeconds)
        if let forward = results.samples["forward_swift_s_threads1"], !forward.isEmpty {
            results.single(section, "forward, 1 thread, alone", unit: "s/seq", swift: median(forward))
        }
        if let stage = results.samples["svd_stage_2workers_s"], !stage.isEmpty {
            results.single(section, "all heads' σ (kernel), 2 workers, alone", unit: "s/seq", swift: median(stage))
        }
        let hdf5 = try HDF5Bench.appendMilliseconds(path: "\(bench.work)/hdf5-append.h5", layers: swift.encoder.configuration.layerCount,
                                                    heads: swift.encoder.configuration.headCount, n: bench.sequenceLength,
                                                    sequences: bench.sequences)
        results.single(section, "HDF5 append of σ [L,H,n] + flush", unit: "s/seq", swift: hdf5 / 1e3)

        var stamps: [Double] = []
        let (_, runSeconds) = try timed {
            try analysis.run(output: URL(fileURLWithPath: "\(bench.work)/profile.h5"), force: true, progress: { _ in stamps.append(now()) })
        }
        let intervals = zip(stamps.dropFirst(), stamps).map { $0 - $1 }
        results.single(section, "Analysis.run in process, \(bench.sequences) seq (incl. SHA-256, HDF5 finish)", unit: "s", swift: runSeconds)
        let steady = median(intervals)
        if intervals.isEmpty {
            results.single(section, "steady state per sequence", unit: "s/seq", swift: nil, note: "needs --sequences ≥ 2")
        } else if let fastest = results.peers.filter({ $0.threads == results.cores }).min(by: { $0.secondsPerSequence < $1.secondsPerSequence }) {
            results.compare(section, "steady state per sequence vs the fastest peer's loop", unit: "s/seq",
                            swift: steady, python: fastest.secondsPerSequence, higherIsBetter: false,
                            note: "toolkit: median interval between completed sequences (spectrum only); peer: \(fastest.label)")
        } else {
            results.single(section, "steady state per sequence (spectrum only)", unit: "s/seq", swift: steady)
        }
        results.samples["profile_intervals_s"] = intervals
    }
}
