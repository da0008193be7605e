import ArgumentParser
import Foundation
import SpectrumAnalysis

/// `spectrum-analyze sweep`: one ordinary run file per sequence length.
struct Sweep: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the same analysis at several sequence lengths n, one run file per n (DIR/n<n>.h5).",
        discussion: """
        The run at the largest n takes --sequences windows; the run at n takes that many times \
        (n_max − 2)/(n − 2), so every run reads about the same text. Re-running the same command skips \
        complete files and resumes partial ones. Give the files to spectrum-report for k_vs_n.svg.
        """)

    @OptionGroup var input: InputOptions
    @OptionGroup var compute: ComputeOptions
    @OptionGroup var attention: AttentionDumpOptions
    @OptionGroup var dump: DumpOptions
    @OptionGroup var projection: ProjectionArguments

    @Option(help: "Comma-separated sequence lengths, e.g. 64,128,256,512.")
    var seqLens: String

    @Option(help: "Folder for the run files (created if missing).")
    var outputDir: String

    @Flag(help: "Redo every n, overwriting existing files.")
    var force = false

    @Flag(help: "No progress on stderr.")
    var quiet = false

    var parsedLengths: [Int] {
        let parts = seqLens.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        return parts.contains(nil) ? [] : parts.compactMap { $0 }
    }

    func validate() throws {
        guard !parsedLengths.isEmpty, parsedLengths.allSatisfy({ (4...(1 << 16)).contains($0) }) else {
            throw ValidationError("--seq-lens must be integers from 4 to 65536 separated by commas, got '\(seqLens)'")
        }
        guard input.sequenceLength == 512 else { throw ValidationError("sweep takes --seq-lens, not --seq-len") }
    }

    func run() throws {
        var options = input.analysisOptions
        options.seed = compute.seed
        options.dumpAttention = attention.dumpAttention.limit
        options.dumpQKV = attention.dumpQkv
        options.attentionStorage = dump.attentionDtype
        options.compression = dump.compression
        options.projection = projection.options
        options.holdout = projection.holdout
        let printer = ProgressPrinter(quiet: quiet)
        let interrupt = InterruptFlag(abortMessage: "aborted: committed sequences are safe in the partial file of the current n; run the same sweep command again to continue.")
        do {
            let folder = URL(fileURLWithPath: outputDir)
            do {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            } catch {
                throw AnalysisError.invalidOption("cannot create --output-dir \(outputDir): \(error.localizedDescription)")
            }
            let model = try ModelLocator().locate(input.model, revision: input.revision)
            let sweep = try SequenceLengthSweep(modelDirectory: model.directory, corpus: URL(fileURLWithPath: input.corpus),
                                                options: options, sequenceLengths: parsedLengths, outputDirectory: folder)
            for n in sweep.sequenceLengths {
                let output = sweep.outputURL(for: n)
                let status = force ? .missing : try sweep.status(for: n)
                if status == .complete {
                    printer.note("n = \(n): \(output.path) is complete, skipped")
                    continue
                }
                let analysis = try Analysis(modelDirectory: sweep.modelDirectory, corpus: sweep.corpus, options: sweep.options(for: n))
                printer.note("n = \(n): \(analysis.windows.count) sequences\(status == .partial ? ", resuming" : "") → \(output.path)")
                try analysis.run(output: output, force: force, resume: status == .partial, progress: printer.update, shouldStop: interrupt.isSet)
                printer.finish()
            }
        } catch AnalysisError.interrupted(let partial, let completed) {
            printer.finish()
            FileHandle.standardError.write(Data("""
                interrupted: \(completed) sequences are safe in \(partial).
                Run the same sweep command again to continue (complete files are skipped, this one is resumed).\n
                """.utf8))
            throw ExitCode(130)
        } catch {
            printer.finish()
            throw fail(error)
        }
    }
}
