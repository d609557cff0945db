"""Generic infrastructure every domain uses: errors, the trace, the lifecycle frame, sweeps, deadlines and the
holiday calendar, attachments, documents, exports, geometry, masking, names, security and the API's plumbing.
Nothing here knows a red notice, a petition or a case."""
