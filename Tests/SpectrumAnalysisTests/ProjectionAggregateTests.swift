import SpectrumMetrics
import XCTest

/// The projection aggregate refuses what it cannot sum instead of skipping it.
final class ProjectionAggregateTests: XCTestCase {
    private func statistics(_ size: Int, value: Double, leaving: [ProjectionStatistic] = []) -> [ProjectionStatistic: [Double]] {
        Dictionary(uniqueKeysWithValues: ProjectionStatistic.allCases.filter { !leaving.contains($0) }.map { ($0, [Double](repeating: value, count: size)) })
    }

    func testSumsEveryStatisticElementwise() throws {
        var aggregate = ProjectionAggregate(layers: 2, heads: 3, dimensionCount: 2)
        try aggregate.add(statistics(12, value: 0.25))
        try aggregate.add(statistics(12, value: 0.5))
        XCTAssertEqual(aggregate.statistics, ProjectionStatistic.allCases)
        for statistic in ProjectionStatistic.allCases { XCTAssertEqual(aggregate.sums[statistic], [Double](repeating: 0.75, count: 12)) }
    }

    func testWrongSizeOrMissingStatisticIsAnError() {
        var aggregate = ProjectionAggregate(layers: 2, heads: 3, dimensionCount: 2)
        XCTAssertThrowsError(try aggregate.add(statistics(11, value: 1))) { error in
            XCTAssertTrue("\(error)".contains("expected 12"), "\(error)")
        }
        XCTAssertThrowsError(try aggregate.add(statistics(12, value: 1, leaving: [.svdOptimalMax]))) { error in
            XCTAssertTrue("\(error)".contains("svd_optimal/max"), "\(error)")
        }
        XCTAssertThrowsError(try aggregate.setSums([1, 2], of: .theorem1Mean))
        XCTAssertEqual(aggregate.sums[.theorem1Mean], [Double](repeating: 0, count: 12), "a refused add changes nothing")
    }

    func testCausalAggregateIgnoresNotApplicableStatisticsAndMergesOnlyItsKind() throws {
        let causal: [ProjectionStatistic] = ProjectionStatistic.allCases.filter { "\($0.rawValue)".hasPrefix("theorem1") || "\($0.rawValue)".hasPrefix("svd_optimal") }
        var a = ProjectionAggregate(layers: 1, heads: 1, dimensionCount: 3, statistics: causal)
        try a.add(statistics(3, value: 2))
        XCTAssertNil(a.sums[.theorem2Relative])
        XCTAssertEqual(a.sums[.theorem1Median], [2, 2, 2])
        let full = ProjectionAggregate(layers: 1, heads: 1, dimensionCount: 3)
        XCTAssertThrowsError(try a.merge(full)) { error in XCTAssertTrue("\(error)".contains("statistics differ"), "\(error)") }
        XCTAssertThrowsError(try a.merge(ProjectionAggregate(layers: 1, heads: 1, dimensionCount: 2, statistics: causal)))
        var b = ProjectionAggregate(layers: 1, heads: 1, dimensionCount: 3, statistics: causal)
        try b.add(statistics(3, value: 1))
        try a.merge(b)
        XCTAssertEqual(a.sums[.svdOptimalMean], [3, 3, 3])
    }
}

/// Library errors name parameters; the command-line tools name flags.
final class RemedyTests: XCTestCase {
    func testMessagesNameParametersForTheLibraryAndFlagsForTheTools() {
        let error = AnalysisError.outputExists(path: "/tmp/run.h5")
        XCTAssertEqual(error.description, "/tmp/run.h5 already exists; pass `force: true` to replace it")
        XCTAssertEqual(error.commandLineDescription, "/tmp/run.h5 already exists; pass --force to replace it")
        let merge = AnalysisError.incompatibleShards("missing; pass \(Remedy.allowPartial.marker) or \(Remedy.resume.marker)")
        XCTAssertEqual(merge.description, "cannot merge: missing; pass `allowPartial: true` or `resume: true`")
        XCTAssertEqual(merge.commandLineDescription, "cannot merge: missing; pass --allow-partial or --resume")
        for remedy in Remedy.allCases {
            let text = AnalysisError.invalidOption("x \(remedy.marker) y")
            XCTAssertFalse(text.description.contains("\u{E000}") || text.commandLineDescription.contains("\u{E001}"), "\(remedy)")
            XCTAssertFalse(text.description.contains("--"), "library text names a flag: \(text.description)")
        }
    }
}
