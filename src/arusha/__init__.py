"""Arusha: the integrity development cycle of a Customs administration (WCO IDG)."""
