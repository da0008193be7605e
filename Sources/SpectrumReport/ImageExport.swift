import Foundation

/// PNG and PDF copies of the report's SVGs, made by librsvg (`rsvg-convert`, Debian package
/// `librsvg2-bin`): a maintained SVG renderer, so the copies look like the SVGs in a browser.
enum ImageExport {
    /// Converts every `.svg` in `folder` to each of `formats`, next to it (`name.png`, `name.pdf`).
    /// `SOURCE_DATE_EPOCH` is fixed so that a PDF carries no wall-clock time.
    static func convert(folder: URL, formats: [ImageFormat]) throws(ReportError) {
        guard !formats.isEmpty else { return }
        guard let tool = executable("rsvg-convert") else {
            throw .imageConversion(file: folder.path, reason: "PNG and PDF copies need rsvg-convert (Debian: apt install librsvg2-bin)")
        }
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".svg") }.sorted()
        for name in names {
            for format in formats {
                let input = folder.appendingPathComponent(name)
                let output = input.deletingPathExtension().appendingPathExtension(format.rawValue)
                var arguments = ["--format", format.rawValue, "--output", output.path]
                if format == .png { arguments += ["--zoom", "2"] }
                try run(tool, arguments + [input.path], file: name)
            }
        }
    }

    private static func run(_ tool: URL, _ arguments: [String], file: String) throws(ReportError) {
        let process = Process()
        process.executableURL = tool
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["SOURCE_DATE_EPOCH"] = "0"
        process.environment = environment
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        do { try process.run() } catch { throw .imageConversion(file: file, reason: "cannot start \(tool.path): \(error.localizedDescription)") }
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw .imageConversion(file: file, reason: "rsvg-convert failed (status \(process.terminationStatus)): \(message.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
    }

    /// The first executable `name` on `PATH`.
    private static func executable(_ name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { URL(fileURLWithPath: String($0)).appendingPathComponent(name) }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }
}
