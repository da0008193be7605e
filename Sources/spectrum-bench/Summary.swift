/// The final summary: every pipeline's seconds per sequence on the same windows, and the ratios the
/// speed targets are stated in.
extension Results {
    /// Cores of the machine (the toolkit's default --threads, the peers' full thread count).
    var cores: Int { Int(machine["nproc"] ?? "") ?? 1 }

    /// The toolkit run of `job` at `threads`, on the peers' sequence count when there are several.
    func toolkitRun(_ job: String, threads: Int) -> ToolkitMeasurement? {
        let runs = toolkit.filter { $0.job == job && $0.threads == threads }
        return runs.min { $0.sequences < $1.sequences }
    }

    /// Fills ``ratios`` from the measurements of the sections that ran (a ratio whose inputs are
    /// missing is left out).
    mutating func computeRatios() {
        ratios = []
        let full = peers.filter { $0.threads == cores }
        let spectrum = toolkitRun("spectrum-only", threads: cores)
        let fullDefault = toolkitRun("default", threads: cores)
        if let spectrum {
            for peer in full {
                let target: String? = peer.key == "torch_gram_f64" ? "≥ 2.5×" : nil
                let value = peer.secondsPerSequence / spectrum.secondsPerSequence
                ratios.append(Ratio(name: "spectrum-only vs \(peer.label), \(cores) threads", value: value, target: target,
                                    met: target == nil ? nil : value >= 2.5,
                                    formula: "peer s/seq ÷ toolkit --no-projection s/seq (whole process)"))
            }
            if let fastest = full.min(by: { $0.secondsPerSequence < $1.secondsPerSequence }) {
                let value = fastest.secondsPerSequence / spectrum.secondsPerSequence
                ratios.append(Ratio(name: "spectrum-only vs the fastest peer, \(fastest.label.prefix(3))", value: value,
                                    target: "≥ 2.2×", met: value >= 2.2, formula: "fastest peer s/seq ÷ toolkit s/seq"))
            }
        }
        if let spectrum, let fullDefault {
            let value = fullDefault.secondsPerSequence / spectrum.secondsPerSequence
            ratios.append(Ratio(name: "default job / spectrum-only", value: value, target: "≤ 1.5×", met: value <= 1.5,
                                formula: "default s/seq ÷ --no-projection s/seq"))
        }
        if let bound {
            if let spectrum {
                let value = bound.spectrumBound / spectrum.secondsPerSequence
                ratios.append(Ratio(name: "fraction of the LAPACK bound, spectrum-only", value: value, target: "≥ 90 %",
                                    met: value >= 0.9, formula: "bound s/seq ÷ toolkit --no-projection s/seq"))
            }
            if let fullDefault {
                ratios.append(Ratio(name: "fraction of the LAPACK bound, default job", value: bound.defaultBound / fullDefault.secondsPerSequence,
                                    target: nil, met: nil, formula: "default bound s/seq ÷ toolkit default s/seq"))
            }
            ratios.append(Ratio(name: "toolkit per-head kernel ÷ bare σ route (same heads, 1 thread)",
                                value: bound.kernelSeconds / max(bound.spectrumSeconds, .leastNormalMagnitude), target: nil, met: nil,
                                formula: "Σ_heads HeadSpectralKernel.spectrum ÷ Σ_heads (dsyrk + dsytrd + dsterf)"))
            for peer in full where peer.key == "torch_gram_f64" || peer.secondsPerSequence == full.map(\.secondsPerSequence).min() {
                ratios.append(Ratio(name: "LAPACK bound vs \(peer.label.prefix(3)) (the most a toolkit could reach)",
                                    value: peer.secondsPerSequence / bound.spectrumBound, target: nil, met: nil,
                                    formula: "peer s/seq ÷ spectrum bound s/seq"))
            }
        }
        if let single = toolkitRun("spectrum-only", threads: 1) {
            for peer in peers where peer.threads == 1 {
                ratios.append(Ratio(name: "spectrum-only vs \(peer.label), 1 thread", value: peer.secondsPerSequence / single.secondsPerSequence,
                                    target: nil, met: nil, formula: "peer s/seq (torch 1 thread) ÷ toolkit --threads 1 s/seq"))
            }
        }
        for threads in [1, 2] {
            if let swift = samples["forward_swift_s_threads\(threads)"], let torch = samples["forward_torch_s_threads\(threads)"],
               !swift.isEmpty, !torch.isEmpty {
                let value = median(torch) / median(swift)
                ratios.append(Ratio(name: "encoder forward vs torch eager, \(threads) thread(s)", value: value, target: "≥ 1×",
                                    met: value >= 1, formula: "torch ms ÷ toolkit ms (section 2)"))
            }
        }
        let byJob = Dictionary(grouping: toolkit.filter { $0.threads == cores }, by: \.job)
        for (job, runs) in byJob.sorted(by: { $0.key < $1.key }) where runs.count > 1 {
            let sorted = runs.sorted { $0.sequences < $1.sequences }
            guard let small = sorted.first, let large = sorted.last, small.peakRSSMiB > 0 else { continue }
            let value = large.peakRSSMiB / small.peakRSSMiB
            ratios.append(Ratio(name: "peak RSS \(job), \(large.sequences) ÷ \(small.sequences) sequences", value: value,
                                target: "≤ 1.10, < 1024 MiB", met: value <= 1.10 && large.peakRSSMiB < 1024,
                                formula: "wait4 peak RSS of the larger run ÷ the smaller (\(format(large.peakRSSMiB)) MiB)"))
        }
    }

    /// The summary table (pipelines, then ratios), headed by the CPU and the workload.
    func summaryTable() -> String {
        var lines = ["SUMMARY on \(machine["cpu"] ?? "unknown CPU"), \(cores) cores; \(machine["model"] ?? "?"), n = \(machine["n"] ?? "?"), "
                     + "\(machine["sequences"] ?? "?") sequences (the same windows for every pipeline), forward + all heads' spectra"]
        let header = ["pipeline", "threads", "s/seq", "CPU util", "peak RSS MiB", "σ err / σ₁ vs dgesdd"]
        var body: [[String]] = []
        // More threads first; within a thread count, the peers in (a), (b), (c) order.
        let orderedPeers = peers.enumerated().sorted { ($0.element.threads, -$0.offset) > ($1.element.threads, -$1.offset) }.map(\.element)
        for peer in orderedPeers {
            body.append([peer.label, "\(peer.threads)", format(peer.secondsPerSequence), percent(peer.cpuUtilisation),
                         "(\(format(peer.processPeakRSSMiB)))", peer.maxRelativeError.map(format) ?? "–"])
        }
        // All cores first; spectrum-only before the default job; the peers' sequence count before the RSS run.
        let orderedRuns = toolkit.sorted { ($1.threads, $0.sequences, $0.job == "default" ? 1 : 0) < ($0.threads, $1.sequences, $1.job == "default" ? 1 : 0) }
        for run in orderedRuns {
            let name = run.job == "default" ? "toolkit default job (projections on)" : "toolkit run --no-projection"
            body.append(["\(name), \(run.sequences) seq", "\(run.threads)", format(run.secondsPerSequence),
                         percent(run.cpuUtilisation), format(run.peakRSSMiB), run.maxRelativeError.map(format) ?? "–"])
        }
        if let bound {
            body.append(["LAPACK bound, spectrum only", "\(bound.cores)", format(bound.spectrumBound), "100 %", "",
                         format(bound.differenceFromKernel) + " vs kernel"])
            body.append(["LAPACK bound, default job", "\(bound.cores)", format(bound.defaultBound), "100 %", "", ""])
        }
        lines.append(body.isEmpty ? "(no pipeline measured: the summary needs the sections peers, bound and e2e)"
                                  : render(header, body, numeric: [1, 2, 3, 4]))
        lines.append("")
        lines.append(render(["ratio", "value", "target", "ok"],
                            ratios.map { r in
                                [r.name, r.name.hasPrefix("fraction") ? percent(r.value) : format(r.value) + "×",
                                 r.target ?? "", r.met.map { $0 ? "yes" : "NO" } ?? ""]
                            }, numeric: [1]))
        lines.append("")
        if let load = machine["load average at start"]?.split(separator: " ").first.flatMap({ Double($0) }), load > 0.5 * Double(cores) {
            lines.append("WARNING: load average \(format(load)) on \(cores) cores at start: other processes competed for the CPUs, so these "
                         + "timings are not representative (torch's OpenMP workers busy-wait and suffer most); measure on a quiet machine.")
        }
        lines.append("how: peers = loop wall per sequence (forward + spectra; no imports, model load, tokenizing), torch at the "
                     + "given threads, scipy's OpenBLAS at 1; toolkit = whole-process wall ÷ sequences (start, load, SHA-256, "
                     + "HDF5 included); CPU util = (user + sys CPU) ÷ wall ÷ cores; (peak RSS) of a peer = its whole Python process.")
        if let bound {
            lines.append("bound: spectrum = (Σ_heads [dsyrk + dsytrd + dsterf] + forward) ÷ cores = (\(format(bound.spectrumSeconds)) + "
                         + "\(format(bound.forwardSeconds))) ÷ \(bound.cores); default = (Σ_heads [dsyrk + dsytrd + dsterf + dstedc(I) + "
                         + "dormtr(n×d) + dgemm] + forward with Q,K,V) ÷ cores = (\(format(bound.spectrumSeconds)) + "
                         + "\(format(bound.floorSeconds)) + \(format(bound.forwardQKVSeconds))) ÷ \(bound.cores); single-threaded "
                         + "LAPACK on double copies of the real heads, column-major, medians of \(bound.windows) window(s) × "
                         + "\(bound.rounds) round(s); the default bound leaves out the Theorem 1/2 projection checks.")
        }
        return lines.joined(separator: "\n")
    }
}

/// A fraction as a percentage with no decimals beyond what matters.
func percent(_ x: Double) -> String { format(x * 100) + " %" }

/// Renders rows under a header, right-aligning the `numeric` columns.
func render(_ header: [String], _ body: [[String]], numeric: Set<Int>) -> String {
    let widths = header.indices.map { c in ([header] + body).map { $0[c].count }.max() ?? 0 }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { c, cell in
            let pad = String(repeating: " ", count: widths[c] - cell.count)
            return numeric.contains(c) ? pad + cell : cell + pad
        }.joined(separator: "  ")
    }
    return ([line(header), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")] + body.map(line))
        .joined(separator: "\n")
}
