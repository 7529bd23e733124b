import ArgumentParser
import CNN
import Foundation
import Site

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build, serve the site locally, and rebuild and reload the browser when content or theme change.")

    @OptionGroup var site: SiteOptions

    @Option(help: "The address to listen on. Only loopback unless you say otherwise.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on.")
    var port: UInt16 = 8000

    func validate() throws {
        if site.output != nil {
            throw ValidationError(
                "serve builds its preview into .vizsite/preview/ (its pages carry a reload script); "
                    + "--output is for `vizsite build`")
        }
    }

    func run() throws {
        var options = site.buildOptions
        // The preview carries a reload script, so it never overwrites the publishable site.
        options.outputDirectory = (options.resolvedCacheDirectory as NSString).appendingPathComponent("preview")
        let bar = ProgressBar()
        let server = PreviewServer(
            options: options, host: host, port: port,
            log: { line in
                FileHandle.standardError.write(Data((line + "\n").utf8))
            }, trainingProgress: { _, p in bar.update(p) })
        Self.stopOnSignals()
        do { try server.run() } catch let error as HTTPServer.Failure { throw ValidationError(error.description) }
    }

    /// Ctrl-C and SIGTERM stop the server, even when the parent process started us with
    /// those signals blocked (as test runners and some supervisors do).
    static func stopOnSignals() {
        var unblock = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, SIGINT)
        sigaddset(&unblock, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
        for number in [SIGINT, SIGTERM] {
            signal(number) { _ in
                let message: StaticString = "\nstopped\n"
                _ = write(STDERR_FILENO, message.utf8Start, message.utf8CodeUnitCount)
                _exit(0)
            }
        }
    }
}

struct New: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create something new in the site.", subcommands: [NewLesson.self, NewTranslation.self])
}

struct NewTranslation: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "translation",
        abstract: "Start a lesson's translation: a copy in lessons/<language>/ whose headings keep their anchors.")

    @Argument(help: "The lesson to translate: its file name in lessons/ (07-class-activation-maps.md).")
    var lesson: String

    @Option(help: "The language to translate into, one of site.yml's languages (zh-Hans).")
    var language: String

    @Option(help: "The content folder.")
    var content = "Content"

    func run() throws {
        let path = try Scaffold.newTranslation(of: lesson, language: language, contentDirectory: content)
        print("created \(path)")
    }
}

struct NewLesson: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lesson", abstract: "Add the next numbered lesson, with front matter and an example directive.")

    @Argument(help: "The lesson's title.")
    var title: String

    @Option(help: "The content folder.")
    var content = "Content"

    func run() throws {
        do {
            let path = try Scaffold.newLesson(title: title, contentDirectory: content)
            print("created \(path)")
        }
    }
}

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Create a new site: site.yml, a sample lesson, the model spec, the MNIST data and a copy of the theme.")

    @Argument(help: "The folder to create.")
    var directory: String

    @Option(
        help:
            ArgumentHelp(
                "A vizsite checkout to copy the theme, model spec and data from (default: the one this binary "
                    + "was built in).")
    )
    var from: String?

    func run() throws {
        do {
            guard
                let source = from ?? Scaffold.checkout(containing: CommandLine.arguments[0])
                    ?? Scaffold.checkout(containing: FileManager.default.currentDirectoryPath + "/x")
            else {
                throw ValidationErrorText(
                    "cannot find a vizsite checkout to copy the theme and data from; pass --from PATH")
            }
            try Scaffold.initSite(at: directory, from: source)
            print(
                "created a site in \(directory)/: Content/ (site.yml, lessons/01-first-look.md, models/, data/), Theme/"
            )
            print("next: cd \(directory) && vizsite build   (or vizsite serve)")
        }
    }
}
