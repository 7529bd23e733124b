import Foundation

/// The sentences the page scripts write (the playground's status line, the dot-product
/// view's explanations), as `script.*` interface strings. A page with such a figure carries
/// its edition's as a JSON block that `vizsiteText` in site.js reads.
enum ScriptStrings {
    static let english: [String: String] = [
        "script.pg_empty": "The input is empty: nothing drawn yet.",
        "script.pg_ink":
            "The input has ink on {percent} % of its {size} pixels, rows {top}–{bottom} and columns "
            + "{left}–{right}, centred near row {row}, column {column}.",
        "script.pg_predicted": "Predicted {class} ({p} %); computed in {ms} ms.",
        "script.pg_predicted_source": "{source}: predicted {class} ({p} %); computed in {ms} ms.",
        "script.pg_smoothgrad_time": "SmoothGrad: {ms} ms.",
        "script.pg_contrast": "Grad-CAM, {class} − {other}",
        "script.pg_smoothgrad_label": "SmoothGrad, mean |gradient|",
        "script.pg_gradient_label": "|gradient|",
        "script.pg_not_image": "That is not an image file.",
        "script.pg_unreadable": "The image could not be read.",
        "script.pg_draw": "Draw a digit.",
        "script.pg_scale": "colour scale of the live maps: 0 (dark) to each map's largest value (yellow)",
        "script.pg_scale_high": "each map's largest",
        "script.pg_images_failed": "The images did not load.",
        "script.pg_thumb_right": "{image}, labelled {label}: predicted correctly",
        "script.pg_thumb_wrong": "{image}, labelled {label}: predicted {predicted}",
        "script.pg_labelled": "{image}, labelled {label}",
        "script.pg_count_one": "1 image",
        "script.pg_count": "{n} images",
        "script.pg_count_shown": "{n} images, {shown} shown",
        "script.fd_head": "{layer}, channel {k}, row {row}, column {column}: {value}",
        "script.fd_window": "{size} window of {below}, channel {k}",
        "script.fd_maxpool":
            "Max pooling keeps the largest value of the window: {value}, at row {row}, column {column} of the "
            + "window (outlined); the others are dropped.",
        "script.fd_many":
            "Each of {below}'s {n} channels under the {size} window, times the kernel, value by value; the "
            + "products are summed. The three channels that contribute most:",
        "script.fd_one":
            "The input under the {size} window, times the kernel, value by value; the products are summed:",
        "script.fd_channel": "{below}, channel {k}",
        "script.fd_kernel": "kernel",
        "script.fd_products": "products",
        "script.fd_activation": ", and {function}({pre}) = {value}",
        "script.fd_many_total": "Over all {n} channels: {total}; plus the bias {bias}: {pre}{activation}.",
        "script.fd_one_total": "The sum: {total}; plus the bias {bias}: {pre}{activation}.",
        "script.fd_input": "the input",
    ]

    /// The `script.*` strings of `strings` as a JSON object (keys without the prefix), safe
    /// inside a `<script>` element.
    static func json(_ strings: InterfaceStrings) -> String {
        var object: [String: String] = [:]
        for key in english.keys { object[String(key.dropFirst("script.".count))] = strings[key] }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let text = String(decoding: (try? encoder.encode(object)) ?? Data("{}".utf8), as: UTF8.self)
        // JSONEncoder escapes "/", so no "</script" can occur; "<!--" could still open a comment.
        return text.replacingOccurrences(of: "<", with: "\\u003c")
    }
}
