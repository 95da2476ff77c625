// Three sunflowers of different heights leaning together in a row, yellow heads against a pale blue ground.
function head(x, y, s, tilt) {
  push();
  translate(x, y);
  rotate(tilt);
  brush.noStroke();
  brush.fillBleed(0.25);
  brush.fillTexture(0.45, 0.45);
  for (let i = 0; i < 14; i++) {
    push();
    rotate(i * (360 / 14));
    brush.fill(i % 2 ? '#f2c12e' : '#f5d04a', 210);
    brush.beginShape(0.7);
    brush.vertex(30 * s, -11 * s);
    brush.vertex(80 * s, -9 * s);
    brush.vertex(95 * s, 0);
    brush.vertex(80 * s, 9 * s);
    brush.vertex(30 * s, 11 * s);
    brush.endShape(true);
    pop();
  }
  brush.fill('#5a3518', 230);
  brush.circle(0, 0, 36 * s, 0.3);
  pop();
}

function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#dfe9ee');
  brush.noFill();
  brush.set('charcoal', '#4f6b2f', 1.8);
  brush.spline([[-140, -25], [-150, 100], [-140, 260]], 0.5);
  brush.spline([[10, -100], [0, 60], [5, 260]], 0.5);
  brush.spline([[150, 10], [140, 120], [130, 260]], 0.5);
  brush.noStroke();
  brush.fillBleed(0.3);
  brush.fillTexture(0.4, 0.3);
  brush.fill('#6a8f3c', 190);
  brush.polygon([[-146, 150], [-100, 115], [-30, 110], [-90, 150]]);
  brush.polygon([[3, 60], [50, 25], [115, 20], [60, 60]]);
  brush.polygon([[137, 190], [180, 150], [240, 140], [190, 185]]);

  head(-140, -60, 0.9, -8);
  head(10, -140, 1.0, 5);
  head(150, -20, 0.8, 12);
}
