"""The record: storage, reference data, pilots, sites, meetings, log, access, audit."""
