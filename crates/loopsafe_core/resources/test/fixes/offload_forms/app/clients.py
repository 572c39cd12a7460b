import time


def fetch_report(report_id):
    time.sleep(1)
    return report_id
