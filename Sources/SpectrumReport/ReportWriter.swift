import Foundation

/// Writes a complete report folder: every figure as SVG + tidy CSV, `index.html` and
/// `summary.md`.
///
/// Everything is first written into a hidden temporary folder next to the output and renamed
/// into place at the end, so a failure never leaves a half-written report, and writing the same
/// input twice yields byte-identical files.
public struct ReportWriter: Sendable {
    /// The runs, in legend order.
    public let runs: [ReportRun]
    /// k, title and output folder.
    public let options: ReportOptions

    /// Creates a writer; nothing is checked or written until `write()`.
    public init(runs: [ReportRun], options: ReportOptions) {
        self.runs = runs
        self.options = options
    }

    /// Validates the input, renders every file and atomically replaces `options.output`.
    /// - Returns: the names of the files written, in writing order.
    /// - Throws: `ReportError` for bad input or an unwritable output folder.
    @discardableResult
    public func write() throws(ReportError) -> [String] {
        let files = try render()
        let formats = options.imageFormats
        try AtomicFolder(destination: options.output).replace(with: files) { (folder) throws(ReportError) in
            try ImageExport.convert(folder: folder, formats: formats)
        }
        return files.map(\.name)
    }

    /// Validates and renders all files in memory (name, contents), without touching the disk.
    public func render() throws(ReportError) -> [(name: String, contents: String)] {
        guard !runs.isEmpty else { throw .noRuns }
        guard options.k > 0 else { throw .invalidK(options.k) }
        for run in runs { try run.validate() }
        let labels = runs.map(\.label)
        if Set(labels).count != labels.count {
            throw .invalidInput(run: labels.first { l in labels.filter { $0 == l }.count > 1 } ?? "",
                                field: "label", problem: "is used by more than one run; give each run its own --label")
        }
        let stats = runs.map(RunStatistics.init)
        let cumulative = CumulativeSpectrumFigure(runs: stats, k: options.k, logX: options.logX)
        var figures = [
            cumulative.make(),
            HeatmapFigure(runs: stats, k: options.k).make(),
            ProjectionErrorFigure(runs: stats).make(),
            EffectiveRankFigure(runs: stats).make(),
        ]
        if runs.count > 1 {
            figures.append(CumulativePanelsFigure(runs: stats, kind: .runs, k: options.k, logX: options.logX)
                .make(stem: CumulativePanelsFigure.stem(.runs, run: 0, of: 1)))
        }
        if options.perHead {
            for (i, run) in stats.enumerated() {
                figures.append(CumulativePanelsFigure(runs: [run], kind: .heads, k: options.k, logX: options.logX)
                    .make(stem: CumulativePanelsFigure.stem(.heads, run: i, of: stats.count)))
            }
        }
        // Runs that differ only in n (a sweep): how k grows with n.
        let kVersusN = KVersusN(runs: runs, k: options.k)
        if !kVersusN.series.isEmpty { figures.append(KVersusNFigure(data: kVersusN).make()) }
        var notes: [String] = []
        if cumulative.normalised {
            notes.append("The runs have different sequence lengths n, so the cumulative spectrum is plotted against the normalised index j / n.")
        }
        for run in runs where run.projection == nil {
            notes.append("Run '\(run.label)' has no projection results (made with --no-projection); the projection-error figure \(runs.count == 1 ? "is skipped" : "omits it").")
        }
        for run in runs where options.k > run.sequenceLength {
            notes.append("k = \(options.k) exceeds n = \(run.sequenceLength) for run '\(run.label)'; c_k is taken at j = n, where it is 1.")
        }
        let title = options.title ?? "Attention spectrum report: \(labels.joined(separator: " vs "))"
        let documents = ReportDocuments(title: title, figures: figures, tables: ReportTables(runs: stats, k: options.k), notes: notes)
        var files: [(name: String, contents: String)] = []
        for figure in figures {
            if let svg = figure.svg { files.append(("\(figure.stem).svg", svg.xml)) }
            if let csv = figure.csv { files.append(("\(figure.stem).csv", csv.text)) }
        }
        if options.perHead { files.append(("cumulative_spectrum_heads.csv", cumulative.perHeadTable().text)) }
        files.append(("index.html", documents.html))
        files.append(("summary.md", documents.markdown))
        return files
    }
}

/// Replaces a folder as a whole: build a sibling temporary folder, then swap it in with renames.
struct AtomicFolder {
    let destination: URL

    /// Writes `files` into a temporary sibling, lets `prepare` add to it, then swaps it in.
    func replace(with files: [(name: String, contents: String)],
                 prepare: (URL) throws(ReportError) -> Void = { _ in }) throws(ReportError) {
        let fm = FileManager.default
        let target = destination.standardizedFileURL
        let parent = target.deletingLastPathComponent()
        func fail(_ reason: String) -> ReportError { .outputNotWritable(path: target.path, reason: reason) }
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: parent.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw fail("the parent folder '\(parent.path)' does not exist or is not a folder")
        }
        if fm.fileExists(atPath: target.path, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw fail("a file (not a folder) already exists there")
        }
        let token = UUID().uuidString.prefix(8)
        let temporary = parent.appendingPathComponent(".\(target.lastPathComponent).tmp-\(token)")
        let old = parent.appendingPathComponent(".\(target.lastPathComponent).old-\(token)")
        do {
            try fm.createDirectory(at: temporary, withIntermediateDirectories: false)
        } catch {
            throw fail("cannot create a temporary folder in '\(parent.path)' (\(Self.reason(error)))")
        }
        do {
            for file in files {
                try Data(file.contents.utf8).write(to: temporary.appendingPathComponent(file.name), options: .atomic)
            }
        } catch {
            try? fm.removeItem(at: temporary)
            throw fail(Self.reason(error))
        }
        do {
            try prepare(temporary)
        } catch {
            try? fm.removeItem(at: temporary)
            throw error
        }
        do {
            let hadOld = fm.fileExists(atPath: target.path)
            if hadOld { try fm.moveItem(at: target, to: old) }
            do {
                try fm.moveItem(at: temporary, to: target)
            } catch {
                if hadOld { try? fm.moveItem(at: old, to: target) }
                throw error
            }
            if hadOld { try? fm.removeItem(at: old) }
        } catch {
            try? fm.removeItem(at: temporary)
            throw fail(Self.reason(error))
        }
    }

    private static func reason(_ error: any Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain,
           let code = POSIXErrorCode(rawValue: Int32(underlying.code)) {
            return String(cString: strerror(code.rawValue))
        }
        return ns.localizedDescription
    }
}
