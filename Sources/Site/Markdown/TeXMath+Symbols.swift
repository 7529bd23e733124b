/// The commands and characters of TeXMath's subset, and what each becomes.
extension TeXMath {
    static let greek: [String: String] = [
        "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ϵ", "varepsilon": "ε", "zeta": "ζ",
        "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν",
        "xi": "ξ", "pi": "π", "varpi": "ϖ", "rho": "ρ", "varrho": "ϱ", "sigma": "σ", "varsigma": "ς", "tau": "τ",
        "upsilon": "υ", "phi": "ϕ", "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω",
    ]

    /// Capital Greek letters are upright in TeX.
    static let uprightGreek: [String: String] = [
        "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π", "Sigma": "Σ",
        "Upsilon": "Υ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
    ]

    /// Symbols that are not operators.
    static let ordinary: [String: String] = [
        "infty": "∞", "partial": "∂", "nabla": "∇", "ell": "ℓ", "emptyset": "∅", "varnothing": "∅", "hbar": "ℏ",
        "Re": "ℜ", "Im": "ℑ", "aleph": "ℵ", "top": "⊤", "bot": "⊥", "angle": "∠", "prime": "′", "imath": "ı",
    ]

    static let operators: [String: String] = [
        "cdot": "⋅", "times": "×", "div": "÷", "pm": "±", "mp": "∓", "ast": "∗", "star": "⋆", "circ": "∘",
        "bullet": "∙", "odot": "⊙", "oplus": "⊕", "otimes": "⊗", "ominus": "⊖", "setminus": "∖", "wedge": "∧",
        "land": "∧", "vee": "∨", "lor": "∨", "neg": "¬", "lnot": "¬", "cup": "∪", "cap": "∩",
        "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "ne": "≠", "neq": "≠", "ll": "≪", "gg": "≫",
        "approx": "≈", "sim": "∼", "simeq": "≃", "cong": "≅", "propto": "∝", "equiv": "≡", "coloneqq": "≔",
        "in": "∈", "notin": "∉", "ni": "∋", "subset": "⊂", "subseteq": "⊆", "supset": "⊃", "supseteq": "⊇",
        "to": "→", "rightarrow": "→", "leftarrow": "←", "gets": "←", "leftrightarrow": "↔", "Rightarrow": "⇒",
        "Leftarrow": "⇐", "Leftrightarrow": "⇔", "implies": "⟹", "iff": "⟺", "mapsto": "↦",
        "longrightarrow": "⟶", "uparrow": "↑", "downarrow": "↓",
        "mid": "∣", "parallel": "∥", "perp": "⟂", "forall": "∀", "exists": "∃",
        "ldots": "…", "dots": "…", "cdots": "⋯", "vdots": "⋮", "ddots": "⋱",
        "langle": "⟨", "rangle": "⟩", "lvert": "|", "rvert": "|", "vert": "|", "lVert": "‖", "rVert": "‖",
        "Vert": "‖", "lfloor": "⌊", "rfloor": "⌋", "lceil": "⌈", "rceil": "⌉",
    ]

    /// Operators with limits: under and over in display math, beside it inline.
    static let bigOperators: [String: String] = [
        "sum": "∑", "prod": "∏", "coprod": "∐", "int": "∫", "oint": "∮", "bigcup": "⋃", "bigcap": "⋂",
        "bigoplus": "⨁", "bigotimes": "⨂",
    ]

    /// Upright function names (`\log x`).
    static let functions: Set<String> = [
        "log", "ln", "exp", "sin", "cos", "tan", "sinh", "cosh", "tanh", "arcsin", "arccos", "arctan", "max", "min",
        "sup", "inf", "lim", "liminf", "limsup", "arg", "det", "dim", "ker", "deg", "gcd", "Pr", "sgn",
    ]

    static let limitFunctions: Set<String> = ["max", "min", "sup", "inf", "lim", "liminf", "limsup", "gcd", "Pr"]

    static let spaces: [String: String] = [
        ",": "<mspace width=\"0.167em\"></mspace>", ":": "<mspace width=\"0.222em\"></mspace>",
        ">": "<mspace width=\"0.222em\"></mspace>", ";": "<mspace width=\"0.278em\"></mspace>",
        " ": "<mspace width=\"0.333em\"></mspace>", "quad": "<mspace width=\"1em\"></mspace>",
        "qquad": "<mspace width=\"2em\"></mspace>", "!": "<mspace width=\"-0.167em\"></mspace>",
    ]

    /// `\{`, `\%` and the like: the character itself.
    static let escapedSymbols: [String: String] = [
        "{": "{", "}": "}", "|": "‖", "%": "%", "#": "#", "&": "&", "_": "_", "$": "$", "\\": "\\",
    ]

    /// Characters written as themselves that TeX shows differently.
    static let characterOperators: [Character: String] = ["-": "−", "*": "∗"]

    static let delimiters: [String: String] = [
        "{": "{", "}": "}", "|": "‖", "langle": "⟨", "rangle": "⟩", "lvert": "|", "rvert": "|", "vert": "|",
        "lVert": "‖", "rVert": "‖", "Vert": "‖", "lfloor": "⌊", "rfloor": "⌋", "lceil": "⌈", "rceil": "⌉",
        "lbrace": "{", "rbrace": "}",
    ]

    static let accents: [String: (mark: String, stretchy: Bool)] = [
        "hat": ("^", false), "widehat": ("^", true), "bar": ("¯", false), "overline": ("‾", true),
        "tilde": ("~", false), "widetilde": ("~", true), "vec": ("→", false), "overrightarrow": ("→", true),
        "dot": ("˙", false), "ddot": ("¨", false), "check": ("ˇ", false), "breve": ("˘", false),
        "acute": ("´", false), "grave": ("`", false),
    ]

    static let underAccents: [String: String] = ["underline": "_", "underbrace": "⏟"]

    /// Tables by environment, with their fences.
    static let environments: [String: (open: String, close: String)] = [
        "matrix": ("", ""), "pmatrix": ("(", ")"), "bmatrix": ("[", "]"), "Bmatrix": ("{", "}"),
        "vmatrix": ("|", "|"), "Vmatrix": ("‖", "‖"), "cases": ("{", ""), "aligned": ("", ""), "align": ("", ""),
        "smallmatrix": ("", ""),
    ]

    /// Every command name, for "did you mean".
    static let knownCommands: [String] = {
        var names = Array(greek.keys) + Array(uprightGreek.keys) + Array(ordinary.keys) + Array(operators.keys)
        names += Array(bigOperators.keys) + Array(functions) + Array(accents.keys) + Array(underAccents.keys)
        names += [
            "frac", "dfrac", "tfrac", "sqrt", "text", "operatorname", "mathrm", "mathbf", "mathbb", "mathcal",
            "mathit", "boldsymbol", "left", "right", "begin", "end", "quad", "qquad", "big", "Big", "displaystyle",
        ]
        return names.sorted()
    }()

    static func bold(_ c: Character) -> Character? {
        mathematical(c, upper: 0x1D400, lower: 0x1D41A, digits: 0x1D7CE)
    }

    static func doubleStruck(_ c: Character) -> Character? {
        let holes: [Character: Character] = ["C": "ℂ", "H": "ℍ", "N": "ℕ", "P": "ℙ", "Q": "ℚ", "R": "ℝ", "Z": "ℤ"]
        return holes[c] ?? mathematical(c, upper: 0x1D538, lower: 0x1D552, digits: 0x1D7D8)
    }

    static func calligraphic(_ c: Character) -> Character? {
        let holes: [Character: Character] = [
            "B": "ℬ", "E": "ℰ", "F": "ℱ", "H": "ℋ", "I": "ℐ", "L": "ℒ", "M": "ℳ", "R": "ℛ",
        ]
        guard c.isUppercase else { return nil }
        return holes[c] ?? mathematical(c, upper: 0x1D49C, lower: nil, digits: nil)
    }

    /// `c` in the Mathematical Alphanumeric Symbols block starting at the given code points.
    private static func mathematical(_ c: Character, upper: UInt32, lower: UInt32?, digits: UInt32?) -> Character? {
        guard c.isASCII, let value = c.unicodeScalars.first?.value else { return nil }
        let scalar: UInt32?
        switch c {
        case "A"..."Z": scalar = upper + value - 65
        case "a"..."z": scalar = lower.map { $0 + value - 97 }
        case "0"..."9": scalar = digits.map { $0 + value - 48 }
        default: scalar = nil
        }
        return scalar.flatMap(Unicode.Scalar.init).map(Character.init)
    }
}
