#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Failure of a benchmark step, naming the command or file at fault.
enum BenchError: Error, CustomStringConvertible {
    /// A child process could not start or exited with a non-zero status.
    case command(String, String)
    /// A child's output could not be parsed.
    case output(String, String)
    /// Input data (model, corpus, ids) is unusable.
    case input(String)

    var description: String {
        switch self {
        case .command(let command, let reason): return "\(command): \(reason)"
        case .output(let command, let reason): return "output of \(command): \(reason)"
        case .input(let reason): return reason
        }
    }
}

/// What one finished child process cost: wall clock, its own peak RSS and its stdout.
struct ChildResult {
    /// Seconds from spawn to exit.
    var wall: Double
    /// Peak resident set size of this child alone (`wait4` rusage, KiB on Linux).
    var maxRSSKiB: Int
    /// User + system CPU seconds of the child (all its threads).
    var cpu: Double
    /// Everything it wrote on stdout.
    var stdout: String
}

/// Runs a program and waits for it with `wait4`, so the peak RSS is that of this one child (not the
/// maximum over every child ever waited for, as `RUSAGE_CHILDREN` would give).
enum ChildProcess {
    /// - Parameters:
    ///   - arguments: argv; `arguments[0]` is looked up in `PATH` when it has no slash.
    ///   - environment: changes to this process's environment (nil value = unset).
    /// - Throws: ``BenchError/command(_:_:)`` when it cannot start or exits non-zero (with the tail
    ///   of its stderr).
    static func run(_ arguments: [String], environment: [String: String?] = [:]) throws(BenchError) -> ChildResult {
        let name = arguments.joined(separator: " ")
        let directory = FileManager.default.temporaryDirectory.path
        let token = UUID().uuidString
        let outPath = "\(directory)/spectrum-bench-\(token).out", errPath = "\(directory)/spectrum-bench-\(token).err"
        defer { unlink(outPath); unlink(errPath) }

        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        let envStrings = env.map { "\($0.key)=\($0.value)" }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = envStrings.map { strdup($0) } + [nil]
        defer { for p in argv + envp { free(p) } }

        var pid: pid_t = 0
        let start = DispatchTime.now().uptimeNanoseconds
        let spawned = posix_spawnp(&pid, arguments[0], &actions, nil, argv, envp)
        guard spawned == 0 else { throw .command(name, "cannot start (\(String(cString: strerror(spawned))))") }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            guard errno == EINTR else { throw .command(name, "wait4 failed (\(String(cString: strerror(errno))))") }
        }
        let wall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let out = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        // WIFEXITED && WEXITSTATUS == 0, spelled out because the macros are not imported.
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            let err = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
            throw .command(name, "exited with status \(status); stderr ends with:\n\(err.suffix(2000))")
        }
        let cpu = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        return ChildResult(wall: wall, maxRSSKiB: Int(usage.ru_maxrss), cpu: cpu, stdout: out)
    }

    /// Runs a program that prints one JSON object as its last stdout line and decodes it.
    static func json(_ arguments: [String], environment: [String: String?] = [:]) throws(BenchError) -> (ChildResult, [String: Any]) {
        let result = try run(arguments, environment: environment)
        let line = result.stdout.split(separator: "\n").last.map(String.init) ?? ""
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw .output(arguments.joined(separator: " "), "expected a JSON object, got '\(line.prefix(300))'")
        }
        return (result, object)
    }
}

extension Dictionary where Key == String, Value == Any {
    /// A numeric field of a decoded JSON object.
    func number(_ key: String, from command: String) throws(BenchError) -> Double {
        guard let value = self[key] as? NSNumber else { throw .output(command, "no numeric field '\(key)'") }
        return value.doubleValue
    }

    /// A numeric array field of a decoded JSON object (empty when absent).
    func numbers(_ key: String) -> [Double] {
        ((self[key] as? [Any]) ?? []).compactMap { ($0 as? NSNumber)?.doubleValue }
    }
}
