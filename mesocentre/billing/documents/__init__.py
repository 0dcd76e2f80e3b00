"""Invoices, credit notes and numbered quotes as documents: a PDF/A-3 a person reads (``html`` renders the template,
``pdf`` prints it with WeasyPrint), the same PDF with its Factur-X (EN 16931) XML embedded (``facturx``), and CSV for
the establishments' accounting (``csv``). ``views`` serves them in the portal, scoped as the invoices API."""
