import Foundation

extension Session {
    /// Where the peers' dgesdd reference σ `[S, L, H, n]` (float64, of torch's P) is written.
    var pythonReferencePath: String { "\(bench.work)/dgesdd-sigma-torch-\(bench.sequences)x\(bench.sequenceLength).f64" }

    /// The three Python peers side by side in one process per torch thread count (all cores, then 1),
    /// on the first `--sequences` windows: each peer's loop seconds per sequence, CPU utilisation and
    /// (all cores only) its σ error against double `dgesdd` of the same P.
    func peers(into results: inout Results) throws {
        let S = bench.sequences, cores = ProcessInfo.processInfo.activeProcessorCount
        let threadCounts = cores > 1 && !bench.skipOneThread ? [cores, 1] : [cores]
        unlink(pythonReferencePath)  // never compare against a reference of another invocation
        for threads in threadCounts {
            let withReference = threads == cores
            log("Python peers, torch \(threads) thread(s), \(S) sequences\(withReference ? " + dgesdd reference" : "") (load average \(loadAverage()))")
            let command = [bench.python, script("bench-python-pipeline.py"), "peers", "--model", bench.model,
                           "--corpus", bench.corpus, "--sequences", "\(S)", "--seq-len", "\(bench.sequenceLength)",
                           "--torch-threads", "\(threads)"]
                + (withReference ? ["--reference-out", pythonReferencePath] : ["--no-reference"])
            // scipy's OpenBLAS at 1 thread is the per-head peer's best setting next to torch's OpenMP workers.
            let (child, json) = try ChildProcess.json(command, environment: [
                "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "\(threads)", "MKL_NUM_THREADS": "\(threads)"])
            let name = "bench-python-pipeline.py peers"
            guard let table = json["peers"] as? [String: [String: Any]] else { throw BenchError.output(name, "no 'peers' object") }
            let forward = try json.number("forward_per_sequence_s", from: name)
            for key in ["scipy_f32", "torch_f32", "torch_gram_f64"] {
                guard let peer = table[key] else { throw BenchError.output(name, "no peer '\(key)'") }
                let measurement = PeerMeasurement(
                    key: key, threads: threads, secondsPerSequence: try peer.number("per_sequence_s", from: name),
                    spectraPerSequence: try peer.number("spectra_per_sequence_s", from: name), forwardPerSequence: forward,
                    cpuUtilisation: try peer.number("cpu_utilisation", from: name),
                    maxRelativeError: (peer["max_rel_error"] as? NSNumber)?.doubleValue,
                    processPeakRSSMiB: Double(child.maxRSSKiB) / 1024)
                results.peers.append(measurement)
                results.single("4 peers", "\(measurement.label), torch \(threads) thread(s)", unit: "s/seq", swift: nil,
                               python: measurement.secondsPerSequence,
                               note: "forward \(format(forward)) + spectra \(format(measurement.spectraPerSequence)) s/seq, "
                                   + "CPU util \(percent(measurement.cpuUtilisation))"
                                   + (measurement.maxRelativeError.map { ", max |Δσ|/σ₁ vs dgesdd \(format($0))" } ?? ""))
                results.samples["peer_\(key)_threads\(threads)_spectra_s"] = peer.numbers("spectra_samples_s")
            }
            results.samples["peer_forward_threads\(threads)_s"] = json.numbers("forward_samples_s")
            let setup = (try? json.number("setup_s", from: name)).map(format) ?? "?"
            results.single("4 peers", "Python process, torch \(threads) thread(s): imports + model load, whole process", unit: "s",
                           swift: nil, python: child.wall,
                           note: "setup \(setup) s (not in the per-sequence times), peak RSS \(format(Double(child.maxRSSKiB) / 1024)) MiB, load average after \(loadAverage())")
        }
    }
}
