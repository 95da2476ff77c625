// A tropical lagoon: turquoise shallows fading to deep teal, a curve of pale sand and a leaning palm tree.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f4f4ee');
  brush.scaleBrushes(1.5);
  brush.noStroke();

  brush.fill('#a8dcea', 230);
  brush.fillBleed(0.3);
  brush.rect(-280, -280, 560, 200);
  // sea: deep teal at the horizon to turquoise shallows
  brush.fill('#1f8a8a', 245);
  brush.fillBleed(0.15);
  brush.fillTexture(0.5, 0.3);
  brush.polygon([[-290, -90], [290, -90], [290, 20], [-290, 40]]);
  brush.fill('#3fb8b0', 240);
  brush.polygon([[-290, 10], [290, -10], [290, 120], [-290, 160]]);
  brush.fill('#7fd8c8', 230);
  brush.polygon([[-290, 120], [290, 80], [290, 180], [-290, 230]]);

  // sand curve
  brush.fill('#f1dcaa', 255);
  brush.fillBleed(0.1);
  brush.beginShape(0.6);
  brush.vertex(-290, 210); brush.vertex(-60, 170); brush.vertex(150, 130); brush.vertex(290, 120);
  brush.vertex(290, 290); brush.vertex(-290, 290);
  brush.endShape(true);
  brush.set('2H', '#ffffff', 1.6);
  brush.noFill();
  brush.spline([[-290, 206], [-60, 166], [150, 126], [290, 116]], 0.6);

  // palm
  brush.set('2B', '#6b4a2e', 3);
  brush.spline([[170, 200], [150, 100], [110, 10], [70, -60]], 0.6);
  brush.noStroke();
  const fronds = [[-60, -120], [-10, -100], [40, -90], [130, -70], [10, -20], [120, -10]];
  for (const [fx, fy] of fronds) {
    brush.fill('#2f7a3f', 250);
    brush.fillBleed(0.08);
    brush.beginShape(0.7);
    brush.vertex(70, -60);
    brush.vertex((70 + fx) / 2 + 8, (-60 + fy) / 2 - 14);
    brush.vertex(fx, fy);
    brush.vertex((70 + fx) / 2 - 8, (-60 + fy) / 2 + 6);
    brush.endShape(true);
  }
}
