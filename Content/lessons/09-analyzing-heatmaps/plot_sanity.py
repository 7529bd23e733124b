"""Lesson 9's sanity-check curve drawn from the figure's raw values, with its noise floor."""
import json
from vizsite_snippets import figure, note

with open("sanity-check.json", "w") as f:
    json.dump(figure("sanity-check"), f)

# --8<-- [start:box]
import json
import matplotlib.pyplot as plt
# --8<-- [end:box]

# --8<-- [start:fonts]
# Chinese labels need a font that has them (otherwise matplotlib draws boxes)
plt.rcParams["font.sans-serif"] = ["Noto Sans CJK SC", "SimHei", "Microsoft YaHei", "PingFang SC", "DejaVu Sans"]
plt.rcParams["axes.unicode_minus"] = False   # SimHei lacks the minus sign of the colorbar's ticks
# --8<-- [end:fonts]

# --8<-- [start:plot]
# the figure's raw values: the "raw values (JSON)" link under it
values = json.load(open("sanity-check.json"))
method = next(m for m in values["methods"] if m["method"] == "integrated-gradients")
ink = next(s for s in method["similarities"] if s["measure"] == "ink-spearman")
fig, ax = plt.subplots(figsize=(5, 3))
ax.plot(values["stages"], ink["mean"], marker="o", label="Integrated Gradients (on the ink)")
ax.axhline(ink["noise_floor"], linestyle="--", color="gray", label="noise floor")
ax.set_ylim(-0.1, 1.05)
ax.set_ylabel("Spearman ρ")
ax.legend()
plt.show()
# --8<-- [end:plot]

note("It draws the figure's own raw values, so there is nothing to compare.")
