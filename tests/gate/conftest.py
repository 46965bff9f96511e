"""Gate fixtures: one local Spark session for every Spark test of the run."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    from maysend.gate.spark_engine import spark_session

    session = spark_session()
    yield session
    session.stop()
    spark_session.cache_clear()
