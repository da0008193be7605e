import ArgumentParser
import Foundation
import RunFormat
import SpectrumMetrics
import SpectrumReport

/// `spectrum-report`: run file(s) → CSV + SVG figures + index.html + summary.md.
@main
struct SpectrumReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spectrum-report",
        abstract: "Render run files into CSV tables, SVG figures (Figure 1 of the Linformer paper and the projection checks) and an HTML report.",
        version: ToolInfo.version)

    @Argument(help: "Run files written by spectrum-analyze (several overlay in one report).")
    var runs: [String]

    @Option(name: .shortAndLong, help: "Report folder to write (replaced atomically).")
    var output: String

    @Option(help: "k of the heatmap of mean c_k (default: n/4 of the shortest run, the paper's k = 128 at n = 512).")
    var k: Int?

    @Option(name: .customLong("label"), help: "Legend label of each run, in order (default: from the run's attributes).")
    var labels: [String] = []

    @Option(help: "Report title.")
    var title: String?

    @Flag(help: "Logarithmic x axis for the cumulative spectrum.")
    var logX = false

    @Flag(help: "Also write the c_j curve of every layer and head: cumulative_spectrum_heads.csv and a figure with one panel per layer.")
    var perHead = false

    @Option(name: .customLong("image-format"), help: "Also write each figure as png or pdf (repeatable; needs rsvg-convert from librsvg).")
    var imageFormats: [ImageFormat] = []

    /// A re-executed copy of this tool only walks a foreign run file (see `RunFileCheck`).
    static func main() {
        RunFileCheck.runChildIfRequested()
        main(nil)
    }

    func validate() throws {
        guard !runs.isEmpty else { throw ValidationError("give at least one run file") }
        if let k, k < 1 { throw ValidationError("--k must be at least 1") }
        guard labels.isEmpty || labels.count == runs.count else {
            throw ValidationError("give one --label per run file (\(runs.count)), or none")
        }
    }

    func run() throws {
        do {
            var inputs: [ReportRun] = []
            for (index, path) in runs.enumerated() {
                // libhdf5 is not safe on damaged files: it reads each one in a child process first.
                try RunFileCheck.validate(URL(fileURLWithPath: path))
                let file = try RunFile(contentsOf: URL(fileURLWithPath: path))
                inputs.append(try ReportRun(runFile: file, label: labels.isEmpty ? nil : labels[index]))
            }
            let k = self.k ?? max(1, (inputs.map(\.sequenceLength).min() ?? 512) / 4)
            let options = ReportOptions(k: k, title: title, output: URL(fileURLWithPath: output), logX: logX, perHead: perHead,
                                        imageFormats: imageFormats)
            let writer = ReportWriter(runs: inputs, options: options)
            let files = try writer.write()
            FileHandle.standardError.write(Data("wrote \(files.count) files to \(output) (c_k at k = \(k)\(self.k == nil ? ", n/4" : ""))\n".utf8))
        } catch {
            FileHandle.standardError.write(Data("error: \((error as? AnalysisError)?.commandLineDescription ?? "\(error)")\n".utf8))
            throw ExitCode(1)
        }
    }
}

extension ImageFormat: ExpressibleByArgument {}
