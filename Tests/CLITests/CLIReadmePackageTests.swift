import Foundation
import XCTest

/// The README's "From Swift" example, built exactly as a user would: its `Package.swift` and
/// `main.swift` blocks, copied verbatim into a package of their own next to a checkout of this
/// repository (a link named `spectrum-toolkit`), built with `swift build` and run.
final class CLIReadmePackageTests: XCTestCase {
    func testTheReadmeExampleBuildsAsItsOwnPackageAndRuns() throws {
        let readme = try String(contentsOf: CLI.repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        guard let start = readme.range(of: "### From Swift"), let end = readme.range(of: "\n## ", range: start.upperBound..<readme.endIndex) else {
            return XCTFail("README.md has no \"From Swift\" section")
        }
        let blocks = Self.swiftBlocks(String(readme[start.upperBound..<end.lowerBound]))
        XCTAssertEqual(blocks.count, 2, "expected a Package.swift and a main.swift block")
        guard blocks.count == 2 else { return }
        XCTAssertTrue(blocks[0].contains("swift-tools-version") && blocks[1].contains("import SpectrumAnalysis"))

        // A fixed folder per checkout, so that a second run of the test builds incrementally.
        // (FNV-1a of the checkout's path: `hashValue` changes from process to process.)
        let key = String(CLI.repositoryRoot.path.utf8.reduce(UInt64(0xcbf29ce484222325)) { ($0 ^ UInt64($1)) &* 0x100000001b3 }, radix: 36)
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("spectrum-readme-package-\(key)")
        let package = base.appendingPathComponent("MyAnalysis")
        let sources = package.appendingPathComponent("Sources/MyAnalysis")
        try FileManager.default.createDirectory(at: sources, withIntermediateDirectories: true)
        let link = base.appendingPathComponent("spectrum-toolkit")
        try? FileManager.default.removeItem(at: link)
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: CLI.repositoryRoot)
        try Self.write(blocks[0], to: package.appendingPathComponent("Package.swift"))
        try Self.write(blocks[1], to: sources.appendingPathComponent("main.swift"))

        var build = try CLI.start(URL(fileURLWithPath: "/usr/bin/env"), ["swift", "build"], in: package).wait(timeout: 1800)
        if build.status != 0 {
            // The folder is kept between runs to save time; SwiftPM's state in it can go stale when the
            // checkout changes under it (a merge), so the verdict is that of a fresh build, as a user's.
            try? FileManager.default.removeItem(at: package.appendingPathComponent(".build"))
            build = try CLI.start(URL(fileURLWithPath: "/usr/bin/env"), ["swift", "build"], in: package).wait(timeout: 1800)
        }
        XCTAssertEqual(build.status, 0, "swift build of the README package failed:\n\(build.stdout)\n\(build.stderr)")
        guard build.status == 0 else { return }
        let output = base.appendingPathComponent("run.h5")
        try? FileManager.default.removeItem(at: output)
        let run = try CLI.start(package.appendingPathComponent(".build/debug/MyAnalysis"),
                                [CLI.tinyModel.path, CLI.corpus.path, output.path], in: package).wait(timeout: 300)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("4 sequences, n = 128") && run.stdout.contains("mean c_32"), run.stdout)
        let usage = try CLI.start(package.appendingPathComponent(".build/debug/MyAnalysis"), [], in: package).wait(timeout: 60)
        XCTAssertEqual(usage.status, 64)
    }

    /// The bodies of the ```swift blocks of `text`, in order.
    static func swiftBlocks(_ text: String) -> [String] {
        text.components(separatedBy: "```swift\n").dropFirst().compactMap { $0.components(separatedBy: "```").first }
    }

    /// Writes only when the contents changed (an unchanged file keeps the build incremental).
    static func write(_ text: String, to url: URL) throws {
        if (try? String(contentsOf: url, encoding: .utf8)) == text { return }
        try Data(text.utf8).write(to: url)
    }
}
