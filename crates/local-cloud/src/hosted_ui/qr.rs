//! QR codes for the hosted UI's pages, as inline SVG (no image request, nothing for the
//! page's `default-src 'none'` policy to block, no script).

use qrcode::render::svg;
use qrcode::QrCode;
use zeroize::Zeroizing;

use super::pages;

/// `text` as a QR code: an `<svg role="img">` element labelled `label` for screen readers,
/// ready to put in a page. `None` when `text` is too long for a QR code.
///
/// The SVG encodes `text` and is returned as a [`Zeroizing`] string, since the text may be a
/// secret (an `otpauth://` URI is).
pub fn inline_svg(text: &str, label: &str) -> Option<Zeroizing<String>> {
    let code = QrCode::new(text.as_bytes()).ok()?;
    let document = Zeroizing::new(
        code.render::<svg::Color<'_>>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .build(),
    );
    // The renderer writes a standalone document: an XML declaration, then the `<svg …>`
    // element. Inline SVG in HTML is the element alone, with the accessibility attributes.
    let element = document.find("<svg ").map(|start| &document[start + 5..])?;
    Some(Zeroizing::new(format!(
        "<svg role=\"img\" aria-label=\"{label}\" {element}",
        label = pages::escape(label),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_svg_is_an_inline_labelled_element() {
        let svg = inline_svg(
            "otpauth://totp/Coffer:ada?secret=JBSWY3DPEHPK3PXP",
            "A \"QR\" code",
        )
        .expect("fits");
        assert!(svg.starts_with("<svg role=\"img\" aria-label=\"A &quot;QR&quot; code\" xmlns="));
        assert!(svg.ends_with("</svg>"));
        assert!(!svg.contains("<?xml"), "no XML declaration inside HTML");
        assert!(
            !svg.contains("JBSWY3DP"),
            "the text is encoded, not written out"
        );
    }

    #[test]
    fn text_too_long_for_a_qr_code_gives_none() {
        assert!(inline_svg(&"x".repeat(8000), "too long").is_none());
    }
}
