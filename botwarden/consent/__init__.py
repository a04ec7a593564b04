"""Who agreed to what: users' opt-ins and opt-outs, interactions, and account owners' consent."""

from botwarden.consent.ledger import Consent, ConsentLedger, Contact, OptIn, Standing
from botwarden.consent.words import is_opt_out_message

__all__ = ["Consent", "ConsentLedger", "Contact", "OptIn", "Standing", "is_opt_out_message"]
