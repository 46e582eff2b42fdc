"""Fingerprinted static assets: digests, references rewritten, the served Plotly bundle."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gpworkforce.web import assets, plotly_offline
from gpworkforce.web.assets import AssetRegistry

WEB = Path(assets.__file__).resolve().parent
TEMPLATES = WEB / "templates"


def small_registry(icon: bytes = b"<svg/>") -> AssetRegistry:
    return AssetRegistry(
        {
            "img/icon.svg": icon,
            "css/site.css": b'a{background:url("/static/img/icon.svg")} b{background:url(/static/none.svg)}',
            "js/init.js": b'import { go } from "../lib/mod.js";\nimport("./lazy.js");\ngo();\n',
            "lib/mod.js": b"export function go() {}\n",
            "js/lazy.js": b"export {};\n",
            "vendor/x.js": b'import a from "../lib/mod.js";\n',
        }
    )


def test_urls_carry_the_content_digest_and_resolve_back() -> None:
    registry = small_registry()
    url = registry.url("lib/mod.js")
    digest = url.split("/")[2]
    assert re.fullmatch(r"/static/[0-9a-f]{12}/lib/mod\.js", url)
    assert registry.resolve(url.removeprefix("/static/")) == (registry.asset("lib/mod.js"), True)
    # The plain address and a digest from an older version: the file, but not as the current one.
    assert registry.resolve("lib/mod.js") == (registry.asset("lib/mod.js"), False)
    stale = "0" * 12 if digest != "0" * 12 else "1" * 12
    assert registry.resolve(f"{stale}/lib/mod.js") == (registry.asset("lib/mod.js"), False)
    assert registry.resolve(f"{digest}/lib/none.js") == (None, False)
    assert registry.resolve("../assets.py") == (None, False)
    with pytest.raises(KeyError, match=r"lib/none\.js"):
        registry.url("lib/none.js")


def test_references_between_assets_are_fingerprinted() -> None:
    registry = small_registry()
    css = registry.asset("css/site.css").body.decode()
    assert f'url("{registry.url("img/icon.svg")}")' in css
    assert "url(/static/none.svg)" in css  # not an asset: left alone
    js = registry.asset("js/init.js").body.decode()
    assert f'from "{registry.url("lib/mod.js")}"' in js and f'import("{registry.url("js/lazy.js")}")' in js
    assert registry.asset("vendor/x.js").body == b'import a from "../lib/mod.js";\n'  # vendored: as published


def test_a_changed_file_changes_the_urls_of_the_files_that_reference_it() -> None:
    before, after = small_registry(), small_registry(icon=b"<svg></svg>")
    assert before.url("img/icon.svg") != after.url("img/icon.svg")
    assert before.url("css/site.css") != after.url("css/site.css")
    assert before.url("js/init.js") == after.url("js/init.js")


def test_text_assets_are_gzipped_once_and_images_are_not_compressible() -> None:
    import gzip

    registry = AssetRegistry({"a.js": b"var a = 1;\n" * 200, "b.png": b"\x89PNG"})
    script = registry.asset("a.js")
    assert script.compressible and script.media_type == "text/javascript"
    assert gzip.decompress(script.gzipped()) == script.body and script.gzipped() is script.gzipped()
    assert len(script.gzipped()) < len(script.body) / 10
    assert not registry.asset("b.png").compressible


def test_every_template_takes_asset_addresses_from_static_url() -> None:
    literal = re.compile(r"""(?:src|href)\s*=\s*["'](?:/static/|/vendor/)""")
    offenders = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0)}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for match in literal.finditer(path.read_text(encoding="utf-8"))
    ]
    offenders += [
        f"routes/apidocs.py: {m.group(0)}" for m in literal.finditer((WEB / "routes" / "apidocs.py").read_text())
    ]
    assert offenders == []


def test_the_served_plotly_bundle_has_every_trace_type_the_charts_use() -> None:
    sources = "".join((WEB / name).read_text(encoding="utf-8") for name in ("figures.py", "scenario_compare.py"))
    used = set(re.findall(r'"type":\s*"(\w+)"', sources)) | set(re.findall(r"\.add_(\w+)\(", sources))
    used |= {name.lower() for name in re.findall(r"\bgo\.(\w+)\(", sources) if name != "Figure"}
    bundle = plotly_offline.PLOTLY_JS.read_text(encoding="utf-8")
    available = set(re.findall(r'moduleType:"trace",name:"(\w+)"', bundle))
    assert used and "bar" in used
    assert used <= available, f"add a bundle with {sorted(used - available)} (static/vendor/README.md)"


def test_the_served_bundle_is_the_plotly_js_version_plotly_py_builds_figures_for() -> None:
    assert plotly_offline.plotly_js_version() == plotly_offline.bundle_version(plotly_offline.PACKAGE_PLOTLY_JS)
    assert plotly_offline.plotly_js_version() != "unknown"


def test_a_reference_cycle_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match=r"a\.js -> b\.js -> a\.js"):
        AssetRegistry({"a.js": b'import "./b.js";', "b.js": b'import "./a.js";'})
