"""Opening passwords on exported files: Excel workbooks through msoffcrypto-tool (ECMA-376 agile
encryption, which Excel and WPS open; LibreOffice does too, but many phone and web viewers do not), PDFs
through reportlab's standard encryption (128-bit, printing allowed, changes and copying not).

reportlab's 256-bit (AES) mode writes a file that neither poppler nor pypdf can open (keys of 48 bytes,
revision 5) and needs the pure-Python pyaes besides, so the PDF uses the 128-bit standard handler that
every reader opens. It keeps a casual finder of a lost file out; it is no match for a determined attacker."""

from __future__ import annotations

import secrets
from pathlib import Path

from reportlab.lib.pdfencrypt import StandardEncryption


def pdf_encryption(password: str | None) -> StandardEncryption | None:
    """reportlab's encryption for a PDF opened with ``password``; the owner password is random, so the
    restrictions cannot be lifted by someone who only knows the opening password."""
    if not password:
        return None
    return StandardEncryption(
        password,
        secrets.token_urlsafe(24),
        canPrint=1,
        canModify=0,
        canCopy=0,
        canAnnotate=0,
        strength=128,
    )


def encrypt_xlsx(plain: Path, target: Path, password: str) -> None:
    """Write ``plain`` (an xlsx file) encrypted with ``password`` to ``target``."""
    import msoffcrypto.format.ooxml  # imported here: only protected exports need it

    with open(plain, "rb") as source:
        document = msoffcrypto.format.ooxml.OOXMLFile(source)
        with open(target, "wb") as out:
            document.encrypt(password, out)
