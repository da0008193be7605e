import ArgumentParser
import Foundation
import SpectrumAnalysis

/// `spectrum-analyze fit`: the fitted fixed projection of a merged file (its second pass).
struct Fit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fit the fixed projection of a merged run file from its summed Gram sums and measure it on the held-out windows.",
        discussion: """
        Shards only accumulate the Gram sums Σ PᵀP of their training windows; `merge` adds them \
        exactly and marks the merged file fit_pending. This stage fits U_k per head, re-encodes the \
        held-out windows (their token ids are in the file) with the same model, and writes \
        /projection/fitted*: bit for bit what the same run done unsharded writes. `merge --model` \
        does the same in one step. A file that is already fitted, or has no fitted projection, is left \
        alone (exit 0).
        """)

    @Argument(help: "Merged run file whose fit is pending.")
    var input: String

    @Option(help: "The model the run was computed with (folder or hub id; its SHA-256 must match the file's).")
    var model: String

    @Option(help: "Branch, tag or commit of a hub-cache model (default: main).")
    var revision: String?

    @Option(name: .shortAndLong, help: "Where to write the result (default: replace the input once done).")
    var output: String?

    @Flag(help: "Replace an existing output run file (never a folder or another kind of file).")
    var force = false

    @Option(help: ArgumentHelp("Heads evaluated at a time (results do not depend on it).", valueName: "n"))
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Flag(help: "No progress on stderr.")
    var quiet = false

    func validate() throws {
        guard threads >= 1 && threads <= 1024 else { throw ValidationError("--threads must be between 1 and 1024") }
    }

    func run() throws {
        do {
            let url = URL(fileURLWithPath: input)
            try RunFileCheck.validate(url)
            let directory = try ModelLocator().locate(model, revision: revision).directory
            try Self.fit(url, output: URL(fileURLWithPath: output ?? input), modelDirectory: directory,
                         force: force, threads: threads, quiet: quiet)
        } catch {
            throw fail(error)
        }
    }

    /// Runs ``FitStage`` and says what it did on stderr (shared with `merge --model`).
    static func fit(_ input: URL, output: URL, modelDirectory: URL, force: Bool, threads: Int, quiet: Bool) throws {
        let printer = ProgressPrinter(quiet: quiet)
        // A failure must not leave a live progress bar unterminated.
        defer { printer.finish() }
        let outcome = try FitStage(input: input, modelDirectory: modelDirectory, threads: threads)
            .run(output: output, force: force, progress: printer.update)
        printer.finish()
        switch outcome {
        case .fitted(let heldOut): printer.note("fitted the projection and measured it on \(heldOut) held-out windows → \(output.path)")
        case .alreadyFitted: printer.note("\(input.path) already holds its fitted projection; nothing to do")
        case .noFittedProjection: printer.note("\(input.path) has no fitted projection (holdout 0 or projections off); nothing to do")
        }
    }
}
