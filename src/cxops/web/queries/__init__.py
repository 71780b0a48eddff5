"""The one query layer the API and the pages share: store + repositories → typed answers."""
