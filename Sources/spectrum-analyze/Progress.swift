import Foundation
import SpectrumAnalysis

/// Progress on stderr: a live bar on a terminal, a plain line every few seconds otherwise, nothing
/// when quiet.
final class ProgressPrinter {
    private let quiet: Bool
    private let terminal = isatty(STDERR_FILENO) != 0
    private var lastLine = Date.distantPast
    private var drewBar = false

    init(quiet: Bool) { self.quiet = quiet }

    /// A one-off message.
    func note(_ text: String) {
        guard !quiet else { return }
        clearBar()
        FileHandle.standardError.write(Data("\(text)\n".utf8))
    }

    /// Called after every sequence.
    func update(_ progress: AnalysisProgress) {
        guard !quiet else { return }
        let done = progress.completed - progress.resumedFrom
        let rate = progress.elapsed > 0 ? Double(done) / progress.elapsed : 0
        let remaining = rate > 0 ? Double(progress.total - progress.completed) / rate : 0
        let stats = String(format: "%d/%d sequences  %.2f seq/s  ETA %@", progress.completed, progress.total, rate, Self.duration(remaining))
        if terminal {
            let width = 30
            let filled = progress.total > 0 ? width * progress.completed / progress.total : width
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            FileHandle.standardError.write(Data("\r\u{1B}[K[\(bar)] \(stats)".utf8))
            drewBar = true
        } else if Date().timeIntervalSince(lastLine) >= 5 || progress.completed == progress.total {
            FileHandle.standardError.write(Data("progress: \(stats)\n".utf8))
            lastLine = Date()
        }
    }

    /// Ends the bar line.
    func finish() { clearBar() }

    private func clearBar() {
        if drewBar {
            FileHandle.standardError.write(Data("\n".utf8))
            drewBar = false
        }
    }

    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        return total >= 3600 ? String(format: "%dh%02dm", total / 3600, total % 3600 / 60)
                             : String(format: "%dm%02ds", total / 60, total % 60)
    }
}

/// Set by SIGINT/SIGTERM; the pipeline polls it between sequences, then stops cleanly.
final class InterruptFlag: @unchecked Sendable {
    private var flag = false
    private let lock = NSLock()
    private var sources: [DispatchSourceSignal] = []

    /// - Parameter abortMessage: printed (on a line of its own) when a second signal aborts the process.
    init(abortMessage: String) {
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { [weak self, source] in  // the source lives as long as the process
                guard let self else { return }
                self.lock.lock()
                // Signals that arrive together are delivered as one event whose `data` counts them.
                let second = self.flag || source.data > 1
                self.flag = true
                self.lock.unlock()
                if second {
                    FileHandle.standardError.write(Data("\n\(abortMessage)\n".utf8))
                    // `_exit`, not `exit`: the workers are still running, and `exit`'s atexit handlers
                    // (libhdf5's, the runtime's) would tear down what they use under them. The journal
                    // is already on disk; nothing buffered in this process needs flushing.
                    _exit(130)
                }
                FileHandle.standardError.write(Data("\nstopping after the current sequence (press Ctrl-C again to abort)…\n".utf8))
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Whether a stop was requested.
    func isSet() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return flag
    }
}
