import Common
import Testing

/// The English of vizsite's messages: "1 figure", "2 figures", "an Add", "a Dense".
@Suite struct EnglishWordsTests {
    @Test func countsAgreeWithTheirNouns() {
        #expect(1.counted("figure") == "1 figure" && 0.counted("figure") == "0 figures")
        #expect(224.counted("figure") == "224 figures" && 2.counted("copy", plural: "copies") == "2 copies")
    }

    @Test func layerTypesTakeTheirArticle() {
        #expect("Add".withArticle == "an Add" && "Activation".withArticle == "an Activation")
        #expect("Dense".withArticle == "a Dense" && "Conv2D".withArticle == "a Conv2D")
        #expect("InputLayer".withArticle == "an InputLayer" && "".withArticle == "")
    }
}
