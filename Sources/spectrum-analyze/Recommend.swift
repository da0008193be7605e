import ArgumentParser
import Foundation
import SpectrumAnalysis

/// `spectrum-analyze recommend RUN.h5 --energy 0.9 [--error 0.1] [--output k.json]`.
struct Recommend: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Recommend a projected dimension k per layer from a run file.",
        discussion: """
        Per head: the smallest j whose mean c_j over sequences reaches --energy and, with --error, at \
        least the smallest k of the projection grid whose fitted-projection error (median over held-out \
        windows) is at most --error. Per layer: the maximum over its heads. Prints a table and writes \
        JSON {"criterion", "layers": [{"layer", "k", "heads"}], "uniform_k", "compression", "n"}.
        """)

    @Argument(help: "A complete run file with spectra.")
    var runFile: String

    @Option(help: "Energy target τ in (0, 1] on the mean cumulative singular-value curve.")
    var energy: Double = 0.9

    @Option(help: "Fitted-projection error target ε (needs a run with projections on).")
    var error: Double?

    @Option(name: .shortAndLong, help: "JSON file to write (printed to stdout as well).")
    var output: String?

    func validate() throws {
        guard energy > 0, energy <= 1 else { throw ValidationError("--energy must be in (0, 1], got \(energy)") }
        if let error, !(error > 0) { throw ValidationError("--error must be positive, got \(error)") }
    }

    func run() throws {
        do {
            let file = try RunFile(contentsOf: URL(fileURLWithPath: runFile))
            let recommendation = try file.recommendation(energy: energy, error: error)
            let json = try recommendation.json()
            FileHandle.standardError.write(Data((recommendation.formattedTable() + "\n").utf8))
            if let output {
                do {
                    try json.write(to: URL(fileURLWithPath: output), options: .atomic)
                } catch {
                    throw AnalysisError.invalidOption("cannot write \(output): \(error.localizedDescription)")
                }
            }
            FileHandle.standardOutput.write(json + Data("\n".utf8))
        } catch {
            throw fail(error)
        }
    }
}
