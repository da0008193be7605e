import ArgumentParser
import Foundation
import SpectrumAnalysis

/// `spectrum-bench`: the DESIGN §5 targets measured side by side with the Python reference in one
/// invocation (tokenizer, encoder forward, SVD stage, end-to-end `run`, peak RSS), plus a profile of
/// where the Swift end-to-end time goes. Prints one table and writes a JSON file. Run through
/// `make bench` (scripts/bench.sh), which builds in release and provides the Python environment.
@main
struct SpectrumBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spectrum-bench",
        abstract: "Benchmark the toolkit against the Python pipeline (DESIGN §5) and print one table.")

    @Option(help: "Model folder.")
    var model: String = ProcessInfo.processInfo.environment["SPECTRUM_MODEL_DIR"] ?? "notebooks-data/models/all-MiniLM-L6-v2"

    @Option(help: "Corpus (.txt or .txt.gz).")
    var corpus: String = ProcessInfo.processInfo.environment["SPECTRUM_CORPUS"] ?? "notebooks-data/corpora/jargon.txt.gz"

    @Option(help: "Python with torch, transformers, tokenizers, scipy, numpy.")
    var python: String = ProcessInfo.processInfo.environment["BENCH_PYTHON"] ?? "python3"

    @Option(help: "The release spectrum-analyze binary (default: next to this one).")
    var analyze: String?

    @Option(help: "Folder of the bench-*.py scripts.")
    var scripts: String = "scripts"

    @Option(help: "Scratch folder for run files and inputs.")
    var work: String = ".build/bench"

    @Option(help: "Where the JSON results go.")
    var output: String = ".build/bench/bench-results.json"

    @Option(help: "Repetitions of each side-by-side measurement (medians are reported).")
    var rounds: Int = 3

    @Option(help: "Sequences of the end-to-end comparison.")
    var sequences: Int = 16

    @Option(help: "Sequences of the second peak-RSS run.")
    var rssSequences: Int = 64

    @Option(help: "Sequences of the runs that compare projections on and off.")
    var projectionSequences: Int = 4

    @Option(help: "Sequence length n.")
    var seqLen: Int = 512

    @Option(parsing: .upToNextOption, help: "Extra key=value lines for the machine header (versions).")
    var info: [String] = []

    @Option(parsing: .upToNextOption, help: "Sections to run: tokenizer forward decoder-forward svd e2e profile (default: all).")
    var sections: [String] = ["tokenizer", "forward", "decoder-forward", "svd", "e2e", "profile"]

    @Flag(help: "Skip the runs with projections on.")
    var skipProjection = false

    func validate() throws {
        guard rounds >= 1, sequences >= 1, rssSequences >= 1, projectionSequences >= 1 else { throw ValidationError("--rounds and --*sequences must be ≥ 1") }
    }

    func run() throws {
        BLAS.setThreadCount(1)
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        var results = Results()
        results.machine = machineInfo()
        for pair in info {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { results.machine[parts[0]] = parts[1] }
        }
        let session = try Session(bench: self)
        log("machine: \(results.machine["cpu"] ?? "?"), \(results.machine["nproc"] ?? "?") cores")
        if sections.contains("tokenizer") { try session.tokenizer(into: &results) }
        if sections.contains("forward") { try session.forward(into: &results) }
        if sections.contains("decoder-forward") { try session.decoderForward(into: &results) }
        if sections.contains("svd") { try session.svd(into: &results) }
        if sections.contains("e2e") { try session.endToEnd(into: &results) }
        if sections.contains("profile") { try session.profile(into: &results) }
        print(results.table())
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(results).write(to: URL(fileURLWithPath: output))
        print("\nwrote \(output)")
    }

    /// nproc, CPU model, kernel, load average at start.
    func machineInfo() -> [String: String] {
        var info: [String: String] = ["nproc": "\(ProcessInfo.processInfo.activeProcessorCount)"]
        if let cpu = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
           let line = cpu.split(separator: "\n").first(where: { $0.hasPrefix("model name") }) {
            info["cpu"] = line.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) }
        }
        if let load = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) {
            info["load average at start"] = load.split(separator: " ").prefix(3).joined(separator: " ")
        }
        info["kernel"] = ProcessInfo.processInfo.operatingSystemVersionString
        info["OPENBLAS_NUM_THREADS"] = ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"] ?? "unset"
        return info
    }
}

/// The 1-minute load average now (other processes competing for the cores).
func loadAverage() -> String {
    (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)).map { $0.split(separator: " ").prefix(1).joined() } ?? "?"
}

/// Progress on stderr, so stdout holds only the table.
func log(_ message: String) {
    FileHandle.standardError.write(Data("[bench] \(message)\n".utf8))
}
