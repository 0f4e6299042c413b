"""Enterprise single sign-on (SAML 2.0) for brands and Luneo staff: see :mod:`.saml` for
the verification shared by both, :mod:`.service` for brands, :mod:`.staff` for staff."""
