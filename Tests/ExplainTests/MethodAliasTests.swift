import Explain
import Testing

/// One table of method names and aliases serves every command and directive.
@Suite struct MethodAliasTests {
    @Test("aliases name the catalogue's methods, with modifiers; unknown names stay unknown")
    func aliases() {
        #expect(MethodCatalogue.named("saliency")?.name == "vanilla")
        #expect(MethodCatalogue.named("grad-cam++")?.name == "gradcam++")
        #expect(MethodCatalogue.named("ig")?.name == "integrated-gradients")
        #expect(MethodCatalogue.canonicalName("saliency+abs") == "vanilla+abs")
        #expect(MethodCatalogue.canonicalName("grad-cam+++blur") == "gradcam+++blur")
        #expect(MethodCatalogue.canonicalName("gradcam++") == "gradcam++")
        #expect(MethodCatalogue.canonicalName("nonsense") == "nonsense" && MethodCatalogue.named("nonsense") == nil)
        for (alias, target) in MethodCatalogue.aliases {
            #expect(MethodCatalogue.names.contains(target) && !MethodCatalogue.names.contains(alias), "\(alias)")
        }
        #expect(MethodCatalogue.namesWithAliases.contains("vanilla (or saliency, gradient)"))
    }
}
